"""The publishing API's OpenAPI schema says what the API enforces (enums for networks,
post states and modes, the posting rhythm's bounds, ids >= 1, a non-empty pause reason),
and JSON bodies are strict: a boolean where a number is expected (`min_gap_minutes: false`,
`connection_id: true`) or a number in a string is a 422 with field errors, never silently
read as 0 or 1. Owner, member and outsider each get their answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.publishing.models import CadenceRule, CrisisPause, Post, PostState, WhenMode
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_member

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


@pytest.fixture
def schema() -> dict[str, Any]:
    response = ApiClient(None).get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return schema["components"]["schemas"][name]["properties"]


def without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional field's schema."""
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") != "null":
            return branch
    raise AssertionError(prop)


# --------------------------------------------------------------------------- schema


def test_networks_states_and_modes_are_enums(schema):
    networks = set(Network.ALL)
    cadence = schema["paths"][f"{API}/publishing/cadence/{{network}}"]["put"]
    (network_param,) = [p for p in cadence["parameters"] if p["name"] == "network"]
    assert set(network_param["schema"]["enum"]) == networks

    best = schema["paths"][f"{API}/publishing/best-time"]["get"]
    (query_network,) = [p for p in best["parameters"] if p["name"] == "network"]
    assert set(query_network["schema"]["enum"]) == networks

    post = component(schema, "PostOut")
    assert set(post["state"]["enum"]) == set(PostState.values)
    assert set(post["mode"]["enum"]) == set(WhenMode.values)
    assert set(post["network"]["enum"]) == networks
    connection = component(schema, "ConnectionOut")
    assert set(connection["network"]["enum"]) == networks
    assert set(connection["status"]["enum"]) == {"active", "needs_reconnect"}
    assert set(connection["kind"]["enum"]) == {"personal", "company"}
    assert set(component(schema, "CadenceOut")["network"]["enum"]) == networks
    assert set(component(schema, "BestTimeOut")["source"]["enum"]) == {
        "own",
        "team",
        "organization",
        "defaults",
    }
    assert set(component(schema, "PostIn")["when"]["enum"]) == set(WhenMode.values)


def test_cadence_bounds_and_strict_integers_in_the_schema(schema):
    cadence = component(schema, "CadenceIn")
    assert (cadence["max_per_day"]["type"], cadence["max_per_day"]["minimum"]) == ("integer", 0)
    assert cadence["max_per_day"]["maximum"] == 100
    assert (cadence["min_gap_minutes"]["minimum"], cadence["min_gap_minutes"]["maximum"]) == (
        0,
        10_080,
    )
    out = component(schema, "CadenceOut")
    assert out["min_gap_minutes"]["maximum"] == 10_080 and out["max_per_day"]["maximum"] == 100

    post_in = component(schema, "PostIn")
    for name in ("connection_id", "item_id"):
        assert (post_in[name]["type"], post_in[name]["minimum"]) == ("integer", 1), name
    assert without_null(post_in["variant_id"])["minimum"] == 1
    pause_in = component(schema, "PauseIn")
    assert pause_in["reason"]["minLength"] == 1
    assert without_null(pause_in["campaign_id"])["minimum"] == 1
    held = without_null(component(schema, "HeldIn")["post_ids"])
    assert held["items"]["minimum"] == 1 and held["maxItems"] == 1000


# --------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize(
    "body, field",
    [
        ({"max_per_day": 1, "min_gap_minutes": False}, "min_gap_minutes"),
        ({"max_per_day": True, "min_gap_minutes": 0}, "max_per_day"),
        ({"max_per_day": "3", "min_gap_minutes": 0}, "max_per_day"),
        ({"max_per_day": 2, "min_gap_minutes": 1.5}, "min_gap_minutes"),
    ],
)
def test_cadence_refuses_a_boolean_or_a_string_for_a_number(community, body, field):
    response = api(community).put("/publishing/cadence/x", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not CadenceRule.objects.exists()


def test_cadence_bounds_are_enforced_as_documented(community, ambassador, outsider):
    client = api(community)
    assert (
        client.put(
            "/publishing/cadence/x", {"max_per_day": 100, "min_gap_minutes": 10_080}
        ).status_code
        == 200
    )
    over = client.put("/publishing/cadence/x", {"max_per_day": 101, "min_gap_minutes": 10_081})
    assert over.status_code == 400
    assert set(over.json()["errors"]) == {"max_per_day", "min_gap_minutes"}
    assert CadenceRule.objects.get().max_per_day == 100
    # A member without the permission: 403; another organization's manager sets only theirs.
    body = {"max_per_day": 1, "min_gap_minutes": 0}
    assert api(ambassador).put("/publishing/cadence/x", body).status_code == 403
    outsider_client = api(make_member(outsider.organization, Role.COMMUNITY_MANAGER))
    assert outsider_client.put("/publishing/cadence/x", body).status_code == 200
    assert CadenceRule.objects.get(organization=community.organization).max_per_day == 100


def test_pause_refuses_a_boolean_campaign_and_an_empty_reason(community):
    client = api(community)
    as_bool = client.post("/publishing/pauses", {"reason": "Crise", "campaign_id": True})
    assert as_bool.status_code == 422 and "campaign_id" in as_bool.json()["errors"]
    empty = client.post("/publishing/pauses", {"reason": ""})
    assert empty.status_code == 422 and "reason" in empty.json()["errors"]
    assert not CrisisPause.objects.exists()
    started = client.post("/publishing/pauses", {"reason": "Crise"})
    assert started.status_code == 201
    pause_id = started.json()["id"]
    assert client.post(f"/publishing/pauses/{pause_id}/end").status_code == 200
    held = client.post(
        f"/publishing/pauses/{pause_id}/held", {"decision": "cancel", "post_ids": [True]}
    )
    assert held.status_code == 422 and "post_ids.0" in held.json()["errors"]


def test_post_refuses_boolean_and_string_ids(ambassador, outsider):
    client = api(ambassador)
    at = (clock.now() + dt.timedelta(hours=3)).isoformat()
    for body, field in (
        ({"connection_id": True, "item_id": 1, "when": "at", "at": at}, "connection_id"),
        ({"connection_id": 1, "item_id": "1", "when": "at", "at": at}, "item_id"),
        (
            {"connection_id": 1, "item_id": 1, "variant_id": False, "when": "at", "at": at},
            "variant_id",
        ),
    ):
        response = client.post("/publishing/posts", body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], body
    assert not Post.objects.exists()
    # Path ids stay lax (they arrive as text) and another organization's id is a 404.
    assert api(outsider).get("/publishing/posts/1").status_code == 404
