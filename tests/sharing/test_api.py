"""The sharing API: shares (mine, or everyone's with share.view_all), confirm; isolation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.governance import gates
from portevoix.sharing import services
from portevoix.sharing.models import Share, ShareState
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.sharing.conftest import SHORT_BASE

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_create_a_share(ambassador, item):
    response = api(ambassador).post("/shares", {"item_id": item.pk, "network": "x"})
    assert response.status_code == 201, response.content
    data = response.json()
    share = Share.objects.get()
    assert data["short_url"] == f"{SHORT_BASE}/l/{share.link.code}"
    assert data["text"] == f"On recrute #jobs {data['short_url']}"
    assert parse_qs(urlsplit(data["intent_url"]).query) == {
        "text": ["On recrute #jobs"],
        "url": [data["short_url"]],
    }
    assert data["share"]["id"] == share.pk
    assert data["share"]["state"] == "opened"
    assert data["share"]["personalized"] is False
    assert data["share"]["item"] == {"id": item.pk, "title": item.title}
    assert data["share"]["clicks"] == 0


def test_create_a_personalized_share(ambassador, item):
    response = api(ambassador).post(
        "/shares", {"item_id": item.pk, "network": "bluesky", "text": "Mes mots 🌍"}
    )
    assert response.status_code == 201
    assert response.json()["share"]["personalized"] is True


def test_errors_are_4xx_with_fields(ambassador, member, item, monkeypatch):
    client = api(ambassador)
    too_long = client.post("/shares", {"item_id": item.pk, "network": "x", "text": "x" * 400})
    assert too_long.status_code == 400
    assert "text" in too_long.json()["errors"]
    assert client.post("/shares", {"item_id": item.pk, "network": "myspace"}).status_code == 404
    assert client.post("/shares", {"item_id": 999999, "network": "x"}).status_code == 404
    assert client.post("/shares", {"item_id": 0, "network": "x"}).status_code == 422
    assert client.post("/shares", {"network": "x"}).status_code == 422
    assert (
        client.post("/shares", {"item_id": item.pk, "network": "x", "text": "a\x00"}).status_code
        == 422
    )
    mastodon = client.post("/shares", {"item_id": item.pk, "network": "mastodon"})
    assert mastodon.status_code == 400 and "instance" in mastodon.json()["errors"]
    assert api(member).post("/shares", {"item_id": item.pk, "network": "x"}).status_code == 403
    monkeypatch.setattr(
        gates,
        "sharing_blockers",
        lambda membership, *, personalize=False: [gates.Blocker("course", "Pass it.", "/t/1/")],
    )
    blocked = client.post("/shares", {"item_id": item.pk, "network": "x"})
    assert blocked.status_code == 403
    assert blocked.json()["errors"] == {"blockers": ["Pass it. (/t/1/)"]}
    assert not Share.objects.exists()


def test_list_my_shares(ambassador, org, item):
    services.share_open(membership=ambassador, item_id=item.pk, network="x")
    services.share_open(membership=ambassador, item_id=item.pk, network="linkedin")
    colleague = factories.make_member(org, ambassador=True)
    services.share_open(membership=colleague, item_id=item.pk, network="x")
    response = api(ambassador).get("/shares")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [s["network"] for s in data["items"]] == ["linkedin", "x"]
    page = api(ambassador).get("/shares", limit=1, offset=1).json()
    assert page["count"] == 2 and [s["network"] for s in page["items"]] == ["x"]


def test_other_members_shares_need_view_all(ambassador, org, item):
    services.share_open(membership=ambassador, item_id=item.pk, network="x")
    colleague = factories.make_member(org, ambassador=True)
    assert api(colleague).get("/shares", member_id=ambassador.pk).status_code == 403
    for role in (Role.ADMIN, Role.ANALYST, Role.COMMUNITY_MANAGER):
        viewer = factories.make_member(org, role)
        data = api(viewer).get("/shares", member_id=ambassador.pk).json()
        assert data["count"] == 1 and data["items"][0]["member_id"] == ambassador.pk


def test_read_and_confirm_a_share(ambassador, org, admin, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    client = api(ambassador)
    assert client.get(f"/shares/{share.pk}").json()["id"] == share.pk
    response = client.post(f"/shares/{share.pk}/confirm")
    assert response.status_code == 200
    assert response.json()["state"] == "confirmed"
    assert client.post(f"/shares/{share.pk}/confirm").json()["state"] == "confirmed"
    # An admin may read it (share.view_all) but not confirm it for the ambassador.
    assert api(admin).get(f"/shares/{share.pk}").status_code == 200
    assert api(admin).post(f"/shares/{share.pk}/confirm").status_code == 404
    colleague = factories.make_member(org, ambassador=True)
    assert api(colleague).get(f"/shares/{share.pk}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/shares/{share}"),
        ("post", "/shares/{share}/confirm"),
    ],
)
def test_outsider_gets_404(ambassador, outsider, item, method, path):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    client = api(outsider)
    response = getattr(client, method)(path.format(share=share.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert Share.objects.get().state == ShareState.OPENED


def test_outsider_cannot_share_or_list_another_organizations_items(ambassador, outsider, item):
    services.share_open(membership=ambassador, item_id=item.pk, network="x")
    client = api(outsider)
    response = client.post("/shares", {"item_id": item.pk, "network": "x"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert client.get("/shares").json()["count"] == 0
    assert client.get("/shares", member_id=ambassador.pk).json()["count"] == 0


def test_the_api_needs_a_token(item):
    anonymous = ApiClient(None)
    assert anonymous.get("/shares").status_code == 401
    assert anonymous.post("/shares", {"item_id": item.pk, "network": "x"}).status_code == 401


def test_the_schema_documents_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/shares", "/api/v1/shares/{share_id}/confirm", "/api/v1/conversions"):
        assert path in schema["paths"], path
    conversions = schema["paths"]["/api/v1/conversions"]["post"]
    assert not conversions.get("security")


def test_moderation_removes_a_share_through_the_api(ambassador, admin, org, outsider, item):
    """What the shares page's "remove" does: community managers and admins mark a share
    removed (kept, idempotent); the ambassador cannot; another organization gets 404."""
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    url = f"/shares/{share.pk}/remove"
    assert api(ambassador).post(url).status_code == 403
    assert api(outsider).post(url).status_code == 404
    assert api(admin).get(url).status_code == 405
    share.refresh_from_db()
    assert share.removed_at is None
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    removed = api(community).post(url)
    assert removed.status_code == 200, removed.content
    assert removed.json()["id"] == share.pk and removed.json()["removed_at"] is not None
    again = api(admin).post(url)
    assert again.status_code == 200
    assert again.json()["removed_at"] == removed.json()["removed_at"]
    assert Share.objects.get().removed_at is not None
    assert api(admin).post(f"/shares/{share.pk + 1000}/remove").status_code == 404
    read_only = ApiClient(
        account_services.api_token_create(membership=community, name="ro", can_write=False).secret
    )
    refused = read_only.post(url)
    assert refused.status_code == 403 and "sharing:write" in refused.json()["detail"]
