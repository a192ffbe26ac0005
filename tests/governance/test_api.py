"""The governance API: the charter, the guardrail check (server-side, whatever the client),
moderation and the audit log; an outsider gets 404 on every object endpoint."""

from __future__ import annotations

import pytest

from portevoix.governance import gates, services
from portevoix.governance.models import ModerationCase
from tests.governance.conftest import publish_charter

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org, ambassador):
    gates.moderation_flag(
        organization=org, author=ambassador, text="Pas cher !", reason="r", source="x", object_id=1
    )
    return ModerationCase.objects.get(organization=org)


class TestCharter:
    def test_current_and_acknowledge(self, api_as, ambassador, charter):
        api = api_as(ambassador)
        data = api.get("/charter").json()
        assert (data["id"], data["number"], data["acknowledged"]) == (charter.pk, 1, False)
        assert data["last_acknowledged_number"] is None
        assert (
            "<strong>voluntary</strong>" in data["body_html"] or "volontaire" in data["body_html"]
        )
        response = api.post("/charter/acknowledge", {"version_id": charter.pk})
        assert response.status_code == 200
        assert response.json()["number"] == 1
        data = api.get("/charter").json()
        assert data["acknowledged"] is True and data["last_acknowledged_number"] == 1
        assert api.post("/charter/acknowledge", {}).status_code == 200  # again: no change

    def test_a_newer_version_is_a_conflict(self, api_as, admin, ambassador, charter):
        publish_charter(admin, body_fr="v2", summary="v2")
        response = api_as(ambassador).post("/charter/acknowledge", {"version_id": charter.pk})
        assert response.status_code == 409

    def test_no_charter_yet(self, api_as, ambassador):
        assert api_as(ambassador).get("/charter").status_code == 404
        assert api_as(ambassador).post("/charter/acknowledge", {}).status_code == 404

    def test_outsider_cannot_acknowledge_our_version(self, api_as, outsider, charter):
        response = api_as(outsider).post("/charter/acknowledge", {"version_id": charter.pk})
        assert response.status_code == 404

    def test_anonymous(self, anonymous):
        assert anonymous.get("/charter").status_code == 401


class TestGuardrailsCheck:
    def test_matches(self, api_as, ambassador, rules):
        text = "Le Projet Orion est pas cher"
        response = api_as(ambassador).post(
            "/guardrails/check", {"network": "linkedin", "text": text}
        )
        assert response.status_code == 200
        data = response.json()
        assert data["blocked"] is True and data["warned"] is True
        assert [(m["kind"], text[m["start"] : m["end"]]) for m in data["matches"]] == [
            ("blocked_term", "Projet Orion"),
            ("avoid_word", "pas cher"),
        ]
        assert data["text"] == text + " #collaborateur"

    def test_validation(self, api_as, ambassador, rules):
        api = api_as(ambassador)
        assert api.post("/guardrails/check", {"network": "myspace", "text": "x"}).status_code == 400
        response = api.post("/guardrails/check", {"network": "x"})
        assert response.status_code == 422
        assert "text" in response.json()["errors"]

    def test_session_with_csrf(self, client, ambassador, rules):
        client.force_login(ambassador.user)
        response = client.post(
            "/api/v1/guardrails/check",
            {"network": "", "text": "projet orion"},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["blocked"] is True


class TestModeration:
    def test_list_and_decide(self, api_as, community, case):
        api = api_as(community)
        data = api.get("/moderation", status="open").json()
        assert data["count"] == 1
        assert data["items"][0]["text"] == "Pas cher !"
        response = api.post(f"/moderation/{case.pk}/decide", {"decision": "reject"})
        assert response.status_code == 400
        assert "reason" in response.json()["errors"]
        response = api.post(
            f"/moderation/{case.pk}/decide", {"decision": "reject", "reason": "Pas notre ton"}
        )
        assert response.status_code == 200
        assert response.json()["status"] == "rejected"
        again = api.post(f"/moderation/{case.pk}/decide", {"decision": "approve"})
        assert again.status_code == 409
        assert api.get("/moderation", status="open").json()["count"] == 0

    def test_only_community_managers(self, api_as, admin, ambassador, case):
        for person in (admin, ambassador):
            assert api_as(person).get("/moderation").status_code == 403
            response = api_as(person).post(f"/moderation/{case.pk}/decide", {"decision": "approve"})
            assert response.status_code == 403


class TestAudit:
    def test_admins_search_the_log(self, api_as, admin, community, charter):
        services.rule_create(
            actor=community, data=services.RuleData(kind="avoid_word", terms=["cheap"])
        )
        api = api_as(admin)
        data = api.get("/audit").json()
        assert [e["action"] for e in data["items"]] == [
            "guardrail.create",
            "charter.publish",
            "charter.draft_create",
        ]
        data = api.get("/audit", person="community@acme").json()
        assert [e["action"] for e in data["items"]] == ["guardrail.create"]
        data = api.get("/audit", object_type="governance.charterversion", object_id=charter.pk)
        assert data.json()["count"] == 2
        assert api.get("/audit", since="2000-01-01", until="2000-01-01").json()["count"] == 0

    def test_not_for_others(self, api_as, community, ambassador):
        for person in (community, ambassador):
            assert api_as(person).get("/audit").status_code == 403


OBJECT_ENDPOINTS = [
    ("get", "/moderation/{case}", None),
    ("post", "/moderation/{case}/decide", {"decision": "approve"}),
    ("post", "/charter/acknowledge", {"version_id": "{charter}"}),
]


@pytest.mark.parametrize(("method", "path", "body"), OBJECT_ENDPOINTS)
def test_outsider_gets_404(api_as, outsider, charter, case, method, path, body):
    ids = {"case": case.pk, "charter": charter.pk}
    url = path.format(**ids)
    if body is not None:
        body = {
            k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
            for k, v in body.items()
        }
    response = api_as(outsider).get(url) if method == "get" else api_as(outsider).post(url, body)
    assert response.status_code == 404, (url, response.content)
    assert response.json() == {"detail": "Not found.", "errors": {}}
    case.refresh_from_db()
    assert case.status == "open"


def test_the_schema_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/charter",
        "/api/v1/charter/acknowledge",
        "/api/v1/guardrails/check",
        "/api/v1/moderation",
        "/api/v1/moderation/{case_id}/decide",
        "/api/v1/audit",
    ]:
        assert path in paths
