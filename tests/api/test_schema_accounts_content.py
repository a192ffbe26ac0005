"""The OpenAPI schema of the people and content routers says what the API enforces
(issue 9): enums for roles, networks and states, minLength/minItems where empty values are
refused, check-copy's required fields; booleans and integers given as the wrong JSON type are
422; a team of another organization in an invitation is a 400 with a field error."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Invitation
from portevoix.core.networks import Network
from tests.api.conftest import item_payload
from tests.factories import make_item

STATES = ["draft", "in_review", "changes_requested", "approved", "live", "expired", "archived"]
ASSIGNABLE = [
    "admin",
    "content_manager",
    "approver",
    "final_approver",
    "community_manager",
    "analyst",
    "executive",
    "advocacy_board",
]


@pytest.fixture
def schema(anonymous) -> dict[str, Any]:
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return schema["components"]["schemas"][name]


def _prop(schema: dict[str, Any], name: str, field: str) -> dict[str, Any]:
    """The property's own schema, without the `anyOf [..., null]` of optional fields."""
    prop = _component(schema, name)["properties"][field]
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return {**option, **{k: v for k, v in prop.items() if k != "anyOf"}}
    return prop


def _query_param(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    params = schema["paths"][path]["get"]["parameters"]
    param = next(p for p in params if p["name"] == name)
    for option in param["schema"].get("anyOf", []):
        if option.get("type") != "null":
            return option
    return param["schema"]


# --- The schema


def test_roles_are_enums(schema):
    assert _prop(schema, "MemberPatchIn", "roles")["items"]["enum"] == ASSIGNABLE
    assert _prop(schema, "InvitationIn", "roles")["items"]["enum"] == ASSIGNABLE
    assert _query_param(schema, "/api/v1/members", "role")["enum"] == [*ASSIGNABLE, "ambassador"]


def test_networks_are_enums(schema):
    networks = list(Network.ALL)
    assert _prop(schema, "PresenceSchema", "network")["enum"] == networks
    assert _prop(schema, "CopyIn", "network")["enum"] == networks
    assert _prop(schema, "ItemCopyIn", "network")["enum"] == networks
    assert _prop(schema, "CheckCopyIn", "network")["enum"] == networks
    assert _prop(schema, "CopyOut", "network")["enum"] == networks
    assert _prop(schema, "CopyCheckOut", "network")["enum"] == networks


def test_states_are_enums(schema):
    assert _prop(schema, "ItemSummaryOut", "state")["enum"] == STATES
    assert _prop(schema, "ItemDetailOut", "state")["enum"] == STATES
    assert _prop(schema, "TransitionOut", "from_state")["enum"] == STATES
    assert _prop(schema, "TransitionOut", "to_state")["enum"] == STATES
    assert _query_param(schema, "/api/v1/content", "state")["enum"] == STATES


def test_empty_values_refused_are_documented(schema):
    for component, field in [
        ("ItemIn", "title"),
        ("ItemCopyIn", "text"),
        ("CommentIn", "comment"),
        ("TopicIn", "name"),
        ("CampaignIn", "name"),
        ("TeamIn", "name"),
        ("TeamPatchIn", "name"),
        ("InvitationIn", "email"),
    ]:
        assert _prop(schema, component, field).get("minLength") == 1, (component, field)
    assert _prop(schema, "EnrolmentIn", "languages")["minItems"] == 1
    assert _prop(schema, "EnrolmentIn", "help_with")["minItems"] == 1
    # check-copy counts an empty text (code "empty"): no minLength there.
    assert "minLength" not in _prop(schema, "CopyIn", "text")


def test_check_copy_required_fields(schema):
    check = _component(schema, "CheckCopyIn")
    assert {"required": ["network", "text"]} in check["anyOf"]
    assert {"required": ["copies"]} in check["anyOf"]
    assert _component(schema, "CopyIn")["required"] == ["network", "text"]


def test_strict_json_types_are_documented(schema):
    assert _prop(schema, "MemberPatchIn", "is_active")["type"] == "boolean"
    assert _prop(schema, "ItemIn", "important")["type"] == "boolean"
    assert _prop(schema, "ItemIn", "priority")["type"] == "integer"


# --- The behaviour


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
def test_is_active_as_a_number_or_text_is_422(api_as, admin, member, value):
    response = api_as(admin).patch(f"/members/{member.pk}", {"is_active": value})
    assert response.status_code == 422
    assert "is_active" in response.json()["errors"]
    member.refresh_from_db()
    assert member.is_active is True


def test_is_active_as_a_boolean_still_works(api_as, admin, member):
    response = api_as(admin).patch(f"/members/{member.pk}", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("important", 1), ("featured", 0), ("priority", True), ("priority", "3"), ("priority", 1.5)],
)
def test_item_flags_and_numbers_need_their_json_type(api_as, manager, field, value):
    response = api_as(manager).post("/content", item_payload(**{field: value}))
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_enrolment_audience_needs_a_number(api_as, member):
    response = api_as(member).post(
        "/me/ambassador/opt-in",
        {
            "languages": ["fr"],
            "help_with": ["sharing"],
            "networks": [{"network": "x", "audience": False}],
        },
    )
    assert response.status_code == 422
    assert "networks.0.audience" in response.json()["errors"]


def test_unknown_role_filter_is_422_not_an_empty_list(api_as, admin):
    response = api_as(admin).get("/members", role="wizard")
    assert response.status_code == 422
    assert "role" in response.json()["errors"]
    assert api_as(admin).get("/members", role="approver").status_code == 200


def test_states_in_answers_are_the_documented_codes(api_as, manager):
    item = make_item(manager)
    body = api_as(manager).get(f"/content/{item.pk}").json()
    assert body["state"] in STATES
    history = api_as(manager).get(f"/content/{item.pk}/history").json()
    assert all(t["from_state"] in STATES and t["to_state"] in STATES for t in history)


def test_check_copy_without_its_required_fields_is_400(api_as, member):
    as_member = api_as(member)
    for body in ({}, {"network": "x"}, {"text": "hi"}):
        response = as_member.post("/content/check-copy", body)
        assert response.status_code == 400, body
        assert "copies" in response.json()["errors"]


def test_foreign_team_in_an_invitation_is_400(api_as, admin, outsider):
    foreign = account_services.team_create(actor=outsider, name="Ailleurs")
    response = api_as(admin).post(
        "/invitations", {"email": "new@example.org", "team_ids": [foreign.pk]}
    )
    assert response.status_code == 400
    assert "team_ids" in response.json()["errors"]
    assert not Invitation.objects.filter(email="new@example.org").exists()


def test_own_and_foreign_team_together_is_400(api_as, admin, outsider):
    own = account_services.team_create(actor=admin, name="Ventes")
    foreign = account_services.team_create(actor=outsider, name="Ailleurs")
    response = api_as(admin).post(
        "/invitations", {"email": "new@example.org", "team_ids": [own.pk, foreign.pk]}
    )
    assert response.status_code == 400
    assert "team_ids" in response.json()["errors"]
    ok = api_as(admin).post("/invitations", {"email": "new@example.org", "team_ids": [own.pk]})
    assert ok.status_code == 201
    invitation = Invitation.objects.get(email="new@example.org")
    assert list(invitation.teams.all()) == [own]


def test_member_cannot_invite_with_any_team(api_as, member, outsider):
    foreign = account_services.team_create(actor=outsider, name="Ailleurs")
    response = api_as(member).post(
        "/invitations", {"email": "new@example.org", "team_ids": [foreign.pk]}
    )
    assert response.status_code == 403
