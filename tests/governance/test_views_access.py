"""Who opens which governance page (200 / 403), anonymous visitors, and the outsider who
gets 404 on every URL with an id of our organization, GET and POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.governance import gates, services
from portevoix.governance.models import (
    AuditEntry,
    CharterVersion,
    GuardrailRule,
    ModerationCase,
)
from tests.governance.conftest import make_rule

pytestmark = pytest.mark.django_db

# page -> who gets 200 (the others get 403)
PAGES = {
    "governance:charter": {"admin", "community", "manager", "ambassador", "member"},
    "governance:charter_manage": {"admin"},
    "governance:charter_new": {"admin"},
    "governance:acknowledgements": {"admin", "community"},
    "governance:acknowledgements_csv": {"admin", "community"},
    "governance:rules": {"admin", "community"},
    "governance:rule_new": {"admin", "community"},
    "governance:check": {"admin", "community", "manager", "ambassador", "member"},
    "governance:queue": {"community"},
    "governance:report": {"admin", "community", "manager", "ambassador", "member"},
    "governance:audit": {"admin"},
    "governance:audit_csv": {"admin"},
}
PEOPLE = ["admin", "community", "manager", "ambassador", "member"]


@pytest.fixture
def people(admin, community, manager, ambassador, member):
    return {
        "admin": admin,
        "community": community,
        "manager": manager,
        "ambassador": ambassador,
        "member": member,
    }


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_role_matrix(client, people, name, person):
    client.force_login(people[person].user)
    response = client.get(reverse(name))
    expected = 200 if person in PAGES[name] else 403
    assert response.status_code == expected, (name, person)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.fixture
def objects(org, admin, community, ambassador):
    """One object of each kind in `org`."""
    services.charter_draft_create(actor=admin, body_fr="v1")
    published = services.charter_publish(
        actor=admin,
        version=CharterVersion.objects.get(organization=org),
        summary_of_changes="",
    )
    draft = services.charter_draft_create(actor=admin)
    rule = make_rule(community, "avoid_word", terms=["cheap"])
    gates.moderation_flag(
        organization=org, author=ambassador, text="t", reason="r", source="x", object_id=1
    )
    case = ModerationCase.objects.get(organization=org)
    return {"published": published.pk, "draft": draft.pk, "rule": rule.pk, "case": case.pk}


ID_URLS = [
    ("governance:charter_edit", "draft", {"body_fr": "pwned", "body_en": ""}),
    ("governance:charter_edit", "published", {"body_fr": "pwned", "body_en": ""}),
    ("governance:charter_publish", "draft", {"summary_of_changes": "pwned"}),
    ("governance:charter_delete", "draft", {}),
    ("governance:rule_edit", "rule", {"kind": "avoid_word", "action": "block", "terms": "x"}),
    ("governance:rule_delete", "rule", {}),
    ("governance:case", "case", {}),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "key", "data"), ID_URLS)
def test_outsider_gets_404(client, outsider, objects, name, key, data, method):
    # The outsider administers their own organization (and is a community manager there).
    from portevoix.accounts import services as account_services

    account_services.membership_update(
        actor=outsider, membership=outsider, roles=["admin", "community_manager"]
    )
    client.force_login(outsider.user)
    url = reverse(name, args=[objects[key]])
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == 404, (name, method)
    # Nothing changed.
    assert CharterVersion.objects.filter(pk=objects["draft"], status="draft").exists()
    assert GuardrailRule.objects.get(pk=objects["rule"]).terms == ["cheap"]
    assert ModerationCase.objects.get(pk=objects["case"]).status == "open"


@pytest.mark.parametrize("decision", ["approve", "reject", "remove"])
def test_outsider_cannot_decide(client, outsider, objects, decision):
    from portevoix.accounts import services as account_services

    account_services.membership_update(
        actor=outsider, membership=outsider, roles=["admin", "community_manager"]
    )
    client.force_login(outsider.user)
    url = reverse("governance:case_decide", args=[objects["case"], decision])
    assert client.post(url, {f"{decision}-reason": "x"}).status_code == 404
    assert client.get(url).status_code == 404
    assert ModerationCase.objects.get(pk=objects["case"]).status == "open"


def test_outsider_cannot_accept_or_report_our_objects(client, outsider, objects, manager, approver):
    from tests.factories import make_live_item

    item = make_live_item(manager, approver)
    client.force_login(outsider.user)
    response = client.post(reverse("governance:charter_accept"), {"version": objects["published"]})
    assert response.status_code == 404
    response = client.post(reverse("governance:report"), {"item": item.pk, "reason": "x"})
    assert response.status_code == 404
    assert client.get(reverse("governance:report"), {"item": item.pk}).status_code == 404


def test_outsider_sees_nothing_of_ours_in_lists(client, outsider, objects):
    from portevoix.accounts import services as account_services

    account_services.membership_update(
        actor=outsider, membership=outsider, roles=["admin", "community_manager"]
    )
    client.force_login(outsider.user)
    assert "cheap" not in client.get(reverse("governance:rules")).content.decode()
    assert "No version yet" in client.get(reverse("governance:charter_manage")).content.decode()
    assert "Nothing to moderate" in client.get(reverse("governance:queue")).content.decode()
    assert AuditEntry.objects.filter(organization=outsider.organization).count() == 0


def test_navigation_links(client, community, member):
    client.force_login(community.user)
    page = client.get(reverse("governance:charter")).content.decode()
    assert reverse("governance:queue") in page
    client.force_login(member.user)
    page = client.get(reverse("governance:charter")).content.decode()
    assert reverse("governance:charter") in page
    assert reverse("governance:queue") not in page


class TestRuleForms:
    def test_create_edit_delete_through_the_pages(self, client, community):
        client.force_login(community.user)
        response = client.post(
            reverse("governance:rule_new"),
            {
                "kind": "disclosure",
                "action": "warn",
                "disclosure_linkedin": "#collaborateur",
                "disclosure_any": "#employee",
                "active": "on",
            },
        )
        assert response.status_code == 302
        rule = GuardrailRule.objects.get()
        assert rule.disclosures == {"linkedin": "#collaborateur", "*": "#employee"}
        page = client.get(reverse("governance:rule_edit", args=[rule.pk])).content.decode()
        assert 'value="#collaborateur"' in page
        response = client.post(
            reverse("governance:rule_edit", args=[rule.pk]),
            {"kind": "blocked_term", "action": "block", "terms": "Projet Orion\n12,5 M€"},
        )
        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.terms == ["Projet Orion", "12,5 M€"]
        assert rule.active is False  # unchecked
        response = client.post(reverse("governance:rule_delete", args=[rule.pk]))
        assert response.status_code == 302
        assert not GuardrailRule.objects.exists()

    def test_errors_are_shown_next_to_the_field(self, client, community):
        client.force_login(community.user)
        response = client.post(
            reverse("governance:rule_new"),
            {"kind": "link_domain", "action": "warn", "allowed_domains": "not a domain"},
        )
        assert response.status_code == 400
        assert "is not a domain name" in response.content.decode()
