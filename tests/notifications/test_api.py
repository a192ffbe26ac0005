"""In-app notifications through the API (the `notifications` area): the caller's own list,
mark one read, mark all read; another member's notification is a 404, as on the page;
scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.notifications import services
from portevoix.notifications.messages import Message
from portevoix.notifications.models import Kind, Notification
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def notify(member, key: str, title: str = "Hello") -> int:
    [pk] = services.notify(
        organization_id=member.organization_id,
        membership_ids=[member.pk],
        kind=Kind.CONTENT_LIVE,
        dedupe_key=key,
        build=lambda tz: Message(title=title, body="Body", url="/feed/"),
    )
    return pk


def test_the_caller_lists_and_reads_their_own_notifications(ambassador, member):
    ids = [notify(ambassador, f"k{n}", f"Title {n}") for n in range(3)]
    notify(member, "other", "Not yours")
    client = api(ambassador)
    listed = client.get("/notifications", limit=2)
    assert listed.status_code == 200
    body = listed.json()
    assert (body["count"], body["unread"]) == (3, 3)
    assert [n["title"] for n in body["items"]] == ["Title 2", "Title 1"]
    assert body["items"][0]["url"] == "/feed/" and body["items"][0]["read_at"] is None
    assert [n["id"] for n in client.get("/notifications", offset=2).json()["items"]] == [ids[0]]
    read = client.post(f"/notifications/{ids[1]}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.post(f"/notifications/{ids[1]}/read").json()["read_at"] == read.json()["read_at"]
    assert client.get("/notifications").json()["unread"] == 2
    marked = client.post("/notifications/read-all")
    assert marked.status_code == 200 and marked.json() == {"marked": 2}
    assert not Notification.objects.filter(membership=ambassador, read_at__isnull=True).exists()
    assert Notification.objects.get(membership=member).read_at is None  # not theirs


def test_another_members_or_organizations_notification_is_404(ambassador, member, outsider):
    theirs = notify(member, "theirs")
    assert api(ambassador).post(f"/notifications/{theirs}/read").status_code == 404
    assert api(outsider).post(f"/notifications/{theirs}/read").status_code == 404
    assert api(outsider).get("/notifications").json()["count"] == 0
    assert api(outsider).post("/notifications/read-all").json() == {"marked": 0}
    assert Notification.objects.get(pk=theirs).read_at is None


def test_methods_and_scopes(ambassador):
    pk = notify(ambassador, "k")
    client = api(ambassador)
    assert client.get(f"/notifications/{pk}/read").status_code == 405
    assert client.get("/notifications", limit=101).status_code == 422
    read_only = ApiClient(
        account_services.api_token_create(
            membership=ambassador, name="ro", can_write=False, areas=["notifications"]
        ).secret
    )
    assert read_only.get("/notifications").status_code == 200
    refused = read_only.post("/notifications/read-all")
    assert refused.status_code == 403 and "notifications:write" in refused.json()["detail"]
    other_area = ApiClient(
        account_services.api_token_create(membership=ambassador, name="c", areas=["content"]).secret
    )
    refused = other_area.get("/notifications")
    assert refused.status_code == 403 and "notifications:read" in refused.json()["detail"]
    assert Notification.objects.get(pk=pk).read_at is None


def test_the_caller_sets_what_they_are_told_of(ambassador, member):
    client = api(ambassador)
    before = client.get("/notifications/settings")
    assert before.status_code == 200 and "content_live" in before.json()["kinds_on"]
    body = {
        "kinds_on": ["badge", "event"],
        "push_enabled": False,
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "time_zone": "Europe/Paris",
    }
    saved = client.put("/notifications/settings", body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["kinds_on"] == ["event", "badge"]  # in the kinds' order
    assert saved.json()["quiet_end"] == "07:30:00"
    assert client.get("/notifications/settings").json()["push_enabled"] is False
    assert api(member).get("/notifications/settings").json()["push_enabled"] is True  # theirs
    half = client.put("/notifications/settings", {**body, "quiet_end": None})
    assert half.status_code == 400 and "quiet_end" in half.json()["errors"]
    unknown = client.put("/notifications/settings", {**body, "kinds_on": ["gossip"]})
    assert unknown.status_code == 400 and "kinds" in unknown.json()["errors"]
    zone = client.put("/notifications/settings", {**body, "time_zone": "Mars/Olympus"})
    assert zone.status_code == 400 and "time_zone" in zone.json()["errors"]
    assert client.put("/notifications/settings", {**body, "push_enabled": 0}).status_code == 422


def test_the_push_policy_is_for_administrators(admin, ambassador):
    assert (
        api(ambassador).put("/notifications/policy", {"max_pushes_per_day": 3}).status_code == 403
    )
    saved = api(admin).put("/notifications/policy", {"max_pushes_per_day": 3})
    assert saved.status_code == 200 and saved.json() == {"max_pushes_per_day": 3}
    assert api(admin).put("/notifications/policy", {"max_pushes_per_day": 21}).status_code == 422
