"""Scoped API tokens and their rate limit (docs/decisions/0020-api-token-scopes.md)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from config.api import api
from portevoix.accounts import services as account_services
from portevoix.accounts.models import ApiToken
from portevoix.accounts.services.common import secret_hash
from portevoix.core import api_access
from portevoix.core.api_access import AREA_CODES, AREA_EXTENSION
from tests.api.conftest import API, ApiClient, item_payload
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def scoped_client(membership, *, can_write=True, areas=None) -> ApiClient:
    issued = account_services.api_token_create(
        membership=membership, name="scoped", can_write=can_write, areas=areas
    )
    return ApiClient(issued.secret)


# One read and (where the area has one) one write per area, reachable by a manager/admin.
READS = [
    ("content", "/content"),
    ("people", "/me"),
    ("people", "/members"),
    ("sharing", "/shares"),
    ("ideas", "/ideas"),
    ("analytics", "/analytics/summary"),
    ("governance", "/audit"),
    ("training", "/events"),
    ("publishing", "/publishing/connections"),
]


@pytest.mark.parametrize(("area", "path"), READS)
def test_read_only_token_reads_every_area(admin, area, path):
    response = scoped_client(admin, can_write=False).get(path)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("area", "path"), READS)
def test_area_outside_the_token_is_403(admin, area, path):
    other = sorted(AREA_CODES - {area})[0]
    response = scoped_client(admin, areas=[other]).get(path)
    assert response.status_code == 403
    body = response.json()
    assert f"{area}:read" in body["detail"]
    assert body["errors"] == {}


@pytest.mark.parametrize(("area", "path"), READS)
def test_token_of_the_area_reads_it(admin, area, path):
    assert scoped_client(admin, areas=[area], can_write=False).get(path).status_code == 200


def test_read_only_token_cannot_post(manager):
    client = scoped_client(manager, can_write=False)
    response = client.post("/content", item_payload())
    assert response.status_code == 403
    assert "content:write" in response.json()["detail"]
    assert "read-only" in response.json()["detail"]
    # Refused before the body is even read: an invalid body is 403 too, not 422.
    assert client.post("/content", {"title": 3}).status_code == 403
    assert client.post("/me/ambassador/opt-in", {}).status_code == 403


def test_write_needs_the_area_too(manager):
    response = scoped_client(manager, areas=["sharing"]).post("/content", item_payload())
    assert response.status_code == 403
    assert "content:write" in response.json()["detail"]


def test_all_areas_token_writes(manager):
    client = scoped_client(manager)
    assert client.post("/content", item_payload()).status_code == 201
    assert (
        scoped_client(manager, areas=["content"]).post("/content", item_payload()).status_code
        == 201
    )


def test_token_made_the_old_way_is_read_write_on_all_areas(manager):
    """The migration gives existing tokens the fields' defaults: read-write, all areas."""
    secret = "pv_" + "o" * 40
    token = ApiToken.objects.create(
        organization=manager.organization,
        user=manager.user,
        name="old",
        prefix=secret[:10],
        token_hash=secret_hash(secret),
    )
    assert (token.can_write, token.all_areas, token.areas) == (True, True, [])
    client = ApiClient(secret)
    assert client.post("/content", item_payload()).status_code == 201
    assert client.get("/analytics/summary").status_code in {200, 403}
    assert "scope" not in client.get("/analytics/summary").json().get("detail", "")


def test_service_refuses_an_empty_or_unknown_area_list(member):
    from portevoix.core.errors import DomainError

    for areas in ([], ["nope"]):
        with pytest.raises(DomainError):
            account_services.api_token_create(membership=member, name="x", areas=areas)


def test_outsider_still_gets_404_with_a_valid_scoped_token(manager, outsider):
    item = make_item(manager)
    for client in (scoped_client(outsider), scoped_client(outsider, areas=["content"])):
        response = client.get(f"/content/{item.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": {}}


# --- The rate limit


@pytest.fixture
def fixed_clock(monkeypatch):
    moment = {"now": 60 * 29_000_000 + 15.0}  # 15 s into a window
    monkeypatch.setattr(api_access, "now", lambda: moment["now"])
    return moment


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_rate_limit_per_token(member, fixed_clock):
    client = scoped_client(member)
    first = client.get("/me")
    assert first.status_code == 200
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("2", "1")
    assert client.get("/me")["X-RateLimit-Remaining"] == "0"
    refused = client.get("/me")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert refused.json()["detail"] and refused.json()["errors"] == {}
    # Another token of the same person has its own count.
    assert scoped_client(member).get("/me").status_code == 200
    # The next window starts afresh.
    fixed_clock["now"] += 45
    again = client.get("/me")
    assert again.status_code == 200
    assert again["X-RateLimit-Remaining"] == "1"


@override_settings(API_RATE_LIMIT_PER_MINUTE=1)
def test_refused_scopes_count_and_limit_comes_first(member, fixed_clock):
    client = scoped_client(member, areas=["content"])
    assert client.get("/me").status_code == 403
    assert client.get("/content").status_code == 429


@override_settings(API_RATE_LIMIT_PER_MINUTE=1)
def test_session_requests_are_not_counted(member, fixed_clock):
    client = Client()
    client.force_login(member.user)
    body = json.dumps({"network": "x", "text": "hello"})
    for _ in range(3):
        response = client.post(f"{API}/content/check-copy", body, content_type="application/json")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response


def test_default_limit_is_600(member):
    assert scoped_client(member).get("/me")["X-RateLimit-Limit"] == "600"


# --- Every operation belongs to an area


def test_every_operation_has_an_area_a_scope_can_name():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 40
    missing = [
        (method, path)
        for path, method, operation in operations
        if operation.get(AREA_EXTENSION) not in AREA_CODES
    ]
    assert missing == []
    used = {operation[AREA_EXTENSION] for _path, _method, operation in operations}
    assert used == AREA_CODES  # no area a scope can name but no endpoint uses
    assert 429 in {int(code) for code in schema["paths"][f"{API}/content"]["get"]["responses"]}
