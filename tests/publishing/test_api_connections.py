"""The publishing API with real tokens: connections (never their tokens), the best time, and
the OpenAPI schema's publishing endpoints."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.publishing.models import Connection, ConnectionStatus
from tests.factories import make_member
from tests.publishing._api_helpers import assert_no_secret

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- connections


def test_connections_are_listed_without_tokens(ambassador, x_connection, fake_x, api, bodies):
    Connection.objects.filter(pk=x_connection.pk).update(
        status=ConnectionStatus.NEEDS_RECONNECT, status_reason="X refused the token."
    )
    response = api(ambassador).get("/publishing/connections")
    assert response.status_code == 200
    [row] = response.json()
    assert set(row) == {
        "id",
        "network",
        "handle",
        "display_name",
        "kind",
        "status",
        "status_reason",
        "followers",
        "followers_synced_at",
    }
    user = fake_x.default_user
    assert row["id"] == x_connection.pk
    assert (row["network"], row["handle"], row["display_name"]) == (
        "x",
        f"@{user.username}",
        user.name,
    )
    assert (row["kind"], row["followers"]) == ("personal", 1234)
    assert row["followers_synced_at"] is not None
    assert (row["status"], row["status_reason"]) == ("needs_reconnect", "X refused the token.")
    assert_no_secret(bodies, x_connection)


def test_only_my_connections(org, ambassador, x_connection, outsider, api):
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    assert api(colleague).get("/publishing/connections").json() == []
    assert api(outsider).get("/publishing/connections").json() == []


def test_a_token_is_required(anonymous, ambassador, x_connection):
    response = anonymous.get("/publishing/connections")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert anonymous.post("/publishing/posts", {}).status_code == 401


# --------------------------------------------------------------------------- best time


def test_best_time(ambassador, member, api):
    response = api(ambassador).get("/publishing/best-time", network="x")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["network"], data["source"], data["tz"]) == ("x", "defaults", "Europe/Paris")
    assert data["label"] and data["note"]
    assert len(data["weights"]) == 7 and all(len(row) == 24 for row in data["weights"])
    assert all(0 <= w <= 1 for row in data["weights"] for w in row)
    assert dt.datetime.fromisoformat(data["best_slot"]) > clock.now()
    # LinkedIn by default; Sunday morning is a top slot there.
    linkedin = api(ambassador).get("/publishing/best-time").json()
    assert linkedin["network"] == "linkedin" and linkedin["weights"][6][9] == 1.0
    assert api(ambassador).get("/publishing/best-time", network="myspace").status_code == 404
    assert api(member).get("/publishing/best-time").status_code == 403


# --------------------------------------------------------------------------- schema


def test_openapi_lists_the_publishing_endpoints(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/publishing/connections",
        "/api/v1/publishing/posts",
        "/api/v1/publishing/posts/{post_id}",
        "/api/v1/publishing/posts/{post_id}/approve",
        "/api/v1/publishing/best-time",
        "/api/v1/publishing/pauses",
        "/api/v1/publishing/pauses/{pause_id}/end",
        "/api/v1/publishing/cadence/{network}",
    ):
        assert path in paths, path
    connection = response.json()["components"]["schemas"]["ConnectionOut"]["properties"]
    assert not any("token" in name for name in connection)
