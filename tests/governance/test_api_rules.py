"""Guardrail rules through the API (what /governance/guardrails/ offers): community
managers list, add, replace and remove them, audited; others 403; another organization's
rule 404; the page's validation; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import AuditEntry, GuardrailRule
from tests.api.conftest import ApiClient
from tests.governance.conftest import make_rule

pytestmark = pytest.mark.django_db


def test_a_community_manager_adds_changes_and_removes_a_rule(api_as, community):
    client = api_as(community)
    created = client.post(
        "/guardrails/rules",
        {"kind": "blocked_term", "action": "block", "terms": ["Projet Orion"], "reason": "Secret"},
    )
    assert created.status_code == 201, created.content
    rule = GuardrailRule.objects.get()
    assert created.json()["id"] == rule.pk and rule.terms == ["Projet Orion"]
    # The rule now applies to the check every client runs.
    checked = client.post("/guardrails/check", {"text": "Le Projet Orion arrive"})
    assert checked.json()["blocked"] is True
    replaced = client.put(
        f"/guardrails/rules/{rule.pk}",
        {"kind": "blocked_term", "action": "warn", "terms": ["Orion"], "active": False},
    )
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["action"], replaced.json()["active"]) == ("warn", False)
    assert replaced.json()["reason"] == ""  # PUT replaces every field
    listed = client.get("/guardrails/rules").json()
    assert [r["id"] for r in listed] == [rule.pk]
    assert client.get(f"/guardrails/rules/{rule.pk}").json()["terms"] == ["Orion"]
    assert client.delete(f"/guardrails/rules/{rule.pk}").status_code == 204
    assert not GuardrailRule.objects.exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["guardrail.create", "guardrail.update", "guardrail.delete"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "blocked_term", "terms": []}, "terms"),
        ({"kind": "link_domain", "allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"kind": "disclosure", "disclosures": {"myspace": "#ad"}}, "disclosures.myspace"),
        ({"kind": "nope", "terms": ["x"]}, "kind"),
        ({"kind": "blocked_term", "terms": ["x"], "networks": ["myspace"]}, "networks"),
    ],
)
def test_the_pages_validation_applies(api_as, community, payload, field):
    response = api_as(community).post("/guardrails/rules", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not GuardrailRule.objects.exists()


def test_the_body_is_validated(api_as, community):
    client = api_as(community)
    assert client.post("/guardrails/rules", {"terms": ["x"]}).status_code == 422
    bad = {"kind": "blocked_term", "terms": ["x"], "active": "yes"}
    assert client.post("/guardrails/rules", bad).status_code == 422
    assert (
        client.post("/guardrails/rules", {"kind": "blocked_term", "terms": "x"}).status_code == 422
    )


def test_members_are_refused_and_outsiders_get_404(api_as, community, member, outsider):
    rule = make_rule(community, "blocked_term", terms=["Orion"])
    plain = api_as(member)
    assert plain.get("/guardrails/rules").status_code == 403
    assert (
        plain.post("/guardrails/rules", {"kind": "blocked_term", "terms": ["x"]}).status_code == 403
    )
    assert plain.get(f"/guardrails/rules/{rule.pk}").status_code == 403
    assert plain.delete(f"/guardrails/rules/{rule.pk}").status_code == 403
    other = api_as(outsider)
    assert other.get("/guardrails/rules").json() == []
    assert other.get(f"/guardrails/rules/{rule.pk}").status_code == 404
    body = {"kind": "blocked_term", "terms": ["y"]}
    assert other.put(f"/guardrails/rules/{rule.pk}", body).status_code == 404
    assert other.delete(f"/guardrails/rules/{rule.pk}").status_code == 404
    rule.refresh_from_db()
    assert rule.terms == ["Orion"]
    assert not AuditEntry.objects.exclude(action="guardrail.create").exists()


def test_methods_and_scopes(api_as, community):
    rule = make_rule(community, "blocked_term", terms=["Orion"])
    assert api_as(community).patch(f"/guardrails/rules/{rule.pk}", {}).status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=community, name="ro", can_write=False).secret
    )
    assert read_only.get("/guardrails/rules").status_code == 200
    refused = read_only.delete(f"/guardrails/rules/{rule.pk}")
    assert refused.status_code == 403 and "governance:write" in refused.json()["detail"]
    assert GuardrailRule.objects.filter(pk=rule.pk).exists()
