"""The publishing API's posts with real tokens: now / at a time / at the best time against the
fake X, editing and cancelling, delegated approval, retries; error shapes and tenant
isolation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, services, sync
from portevoix.publishing.models import Post, PostState
from tests.factories import make_live_item, make_member
from tests.publishing._api_helpers import assert_no_secret, later, schedule
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


# --------------------------------------------------------------------------- posts


def test_publish_now_through_the_api(
    ambassador, item, x_connection, fake_x, api, bodies, django_capture_on_commit_callbacks
):
    client = api(ambassador)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/publishing/posts",
            {"connection_id": x_connection.pk, "item_id": item.pk, "when": "now"},
        )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["item"] == {"id": item.pk, "title": item.title}
    assert (created["network"], created["connection_id"]) == ("x", x_connection.pk)
    assert (created["mode"], created["member_id"], created["prepared_by_id"]) == (
        "now",
        ambassador.pk,
        None,
    )
    assert created["engagement"] is None
    post = Post.objects.get(pk=created["id"])
    # The task ran on commit: the tweet is out, once.
    assert post.state == PostState.PUBLISHED, post.error
    [tweet] = fake_x.tweets_of()
    detail = client.get(f"/publishing/posts/{post.pk}").json()
    assert detail["state"] == "published"
    assert detail["remote_url"].endswith(f"/status/{tweet.id}")
    assert detail["published_at"] is not None
    assert detail["text"] == post.text and "https://go.example.org/l/" in detail["text"]
    # Figures synced from X show as the latest engagement.
    fake_x.set_metrics(
        tweet.id, like_count=7, reply_count=2, retweet_count=3, quote_count=1, impression_count=500
    )
    assert sync.engagement_sync() == 1
    page = client.get("/publishing/posts").json()
    assert page["count"] == 1
    engagement = page["items"][0]["engagement"]
    assert {k: engagement[k] for k in ("likes", "replies", "reposts", "quotes", "impressions")} == {
        "likes": 7,
        "replies": 2,
        "reposts": 3,
        "quotes": 1,
        "impressions": 500,
    }
    assert engagement["at"]
    # A published post is no longer editable.
    late = client.patch(f"/publishing/posts/{post.pk}", {"when": "now"})
    assert late.status_code == 409 and late.json()["detail"]
    assert_no_secret(bodies, x_connection)


def test_schedule_edit_and_cancel(ambassador, item, x_connection, fake_x, api):
    client = api(ambassador)
    at = later(5).replace(microsecond=0)
    response = client.post(
        "/publishing/posts",
        {
            "connection_id": x_connection.pk,
            "item_id": item.pk,
            "text": "Mon texte à moi",
            "when": "at",
            "at": at.astimezone(PARIS).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "scheduled"
    assert dt.datetime.fromisoformat(created["scheduled_at"]) == at
    assert created["text"].startswith("Mon texte à moi")
    post_url = f"/publishing/posts/{created['id']}"

    # The text changes; the time moves.
    changed = client.patch(
        post_url, {"text": "Autre texte", "when": "at", "at": later(8).isoformat()}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["text"].startswith("Autre texte")
    # Without a text, the text stays as it is (not back to the suggested copy).
    kept = client.patch(post_url, {"when": "best"})
    assert kept.status_code == 200, kept.content
    assert kept.json()["text"] == changed.json()["text"]
    assert kept.json()["mode"] == "best" and kept.json()["schedule_note"]
    assert dt.datetime.fromisoformat(kept.json()["scheduled_at"]) > clock.now()

    cancelled = client.post(f"{post_url}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = client.post(f"{post_url}/cancel")
    assert again.status_code == 409
    assert fake_x.tweets_of() == []


def test_best_time_post_is_scheduled_with_a_note(ambassador, item, x_connection, fake_x, api):
    response = api(ambassador).post(
        "/publishing/posts", {"connection_id": x_connection.pk, "item_id": item.pk, "when": "best"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "scheduled" and data["mode"] == "best"
    assert data["schedule_note"].startswith("Recommended defaults")
    assert dt.datetime.fromisoformat(data["scheduled_at"]) >= clock.now() + dt.timedelta(minutes=14)


def test_post_errors_have_fields(
    community, ambassador, manager, approver, item, x_connection, fake_x, api
):
    client = api(ambassador)
    base = {"connection_id": x_connection.pk, "item_id": item.pk}

    past = client.post("/publishing/posts", {**base, "when": "at", "at": later(-2).isoformat()})
    assert past.status_code == 400
    assert "past" in past.json()["errors"]["at"][0]
    naive = client.post("/publishing/posts", {**base, "when": "at", "at": "2030-01-01T10:00:00"})
    assert naive.status_code == 400
    assert "time zone" in naive.json()["errors"]["at"][0]
    missing_at = client.post("/publishing/posts", {**base, "when": "at"})
    assert missing_at.status_code == 400 and "at" in missing_at.json()["errors"]
    bad_when = client.post("/publishing/posts", {**base, "when": "tomorrow"})
    assert bad_when.status_code == 400 and "when" in bad_when.json()["errors"]
    no_when = client.post("/publishing/posts", base)
    assert no_when.status_code == 422 and "when" in no_when.json()["errors"]
    too_long = client.post(
        "/publishing/posts", {**base, "when": "at", "at": later().isoformat(), "text": "x" * 400}
    )
    assert too_long.status_code == 400 and too_long.json()["errors"]["text"]
    assert (
        client.post("/publishing/posts", {**base, "item_id": 999_999, "when": "now"}).status_code
        == 404
    )
    assert (
        client.post(
            "/publishing/posts", {**base, "connection_id": 999_999, "when": "now"}
        ).status_code
        == 404
    )
    assert client.post("/publishing/posts", {**base, "connection_id": 0}).status_code == 422

    # The posting rhythm refuses a second post the same day, says why and when it is free.
    services.cadence_set(actor=community, network="x", max_per_day=1, min_gap_minutes=0)
    noon = dt.datetime.combine(
        clock.now().astimezone(PARIS).date() + dt.timedelta(days=2), dt.time(12), PARIS
    )
    first = client.post("/publishing/posts", {**base, "when": "at", "at": noon.isoformat()})
    assert first.status_code == 201, first.content
    other = make_live_item(manager, approver, title="Deux")
    refused = client.post(
        "/publishing/posts",
        {
            **base,
            "item_id": other.pk,
            "when": "at",
            "at": (noon + dt.timedelta(hours=3)).isoformat(),
        },
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["detail"]
    reasons = " ".join(body["errors"]["at"])
    assert "At most 1 post a day on X" in reasons and "First free slot" in reasons
    # The same item twice on one account: edit the first instead.
    twice = client.post("/publishing/posts", {**base, "when": "at", "at": later(50).isoformat()})
    assert twice.status_code == 409
    assert Post.objects.count() == 1


def test_another_organization_gets_404(outsider, ambassador, item, x_connection, fake_x, api):
    post = schedule(ambassador, x_connection, item)
    client = api(outsider)
    url = f"/publishing/posts/{post.pk}"
    assert client.get(url).status_code == 404
    patched = client.patch(url, {"text": "pirate", "when": "now"})
    assert patched.status_code == 404 and patched.json()["detail"]
    for action in ("cancel", "approve", "decline", "retry"):
        assert client.post(f"{url}/{action}").status_code == 404, action
    assert client.get("/publishing/posts").json() == {"count": 0, "items": []}
    # Nor can they post through the connection.
    stolen = client.post(
        "/publishing/posts", {"connection_id": x_connection.pk, "item_id": item.pk, "when": "now"}
    )
    assert stolen.status_code == 404
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED and "pirate" not in post.text


def test_a_colleague_gets_404_too(org, ambassador, item, x_connection, fake_x, api):
    post = schedule(ambassador, x_connection, item)
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    client = api(colleague)
    assert client.get(f"/publishing/posts/{post.pk}").status_code == 404
    assert client.post(f"/publishing/posts/{post.pk}/cancel").status_code == 404


def test_posts_are_paginated_latest_first(ambassador, manager, approver, x_connection, api):
    items = [make_live_item(manager, approver, title=f"Item {n}") for n in range(3)]
    for hours, one in zip((3, 6, 9), items, strict=True):
        schedule(ambassador, x_connection, one, at=later(hours))
    client = api(ambassador)
    first = client.get("/publishing/posts", limit=2).json()
    assert first["count"] == 3
    assert [p["item"]["title"] for p in first["items"]] == ["Item 2", "Item 1"]
    second = client.get("/publishing/posts", limit=2, offset=2).json()
    assert [p["item"]["title"] for p in second["items"]] == ["Item 0"]
    assert client.get("/publishing/posts", limit=0).status_code == 422


def test_delegated_post_is_approved_or_declined_by_the_owner(
    org, manager, approver, item, fake_x, api, django_capture_on_commit_callbacks
):
    executive = make_member(org, Role.EXECUTIVE, email="ceo@acme.test", ambassador=True)
    assistant = make_member(org, email="assistant@acme.test")
    connection = connect_x(executive, fake_x)
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    as_assistant, as_executive = api(assistant), api(executive)

    prepared = as_assistant.post(
        "/publishing/posts", {"connection_id": connection.pk, "item_id": item.pk, "when": "now"}
    )
    assert prepared.status_code == 201, prepared.content
    data = prepared.json()
    assert data["state"] == "awaiting_approval"
    assert (data["member_id"], data["prepared_by_id"]) == (executive.pk, assistant.pk)
    # The assistant sees it, cannot approve it; it is on the executive's list.
    assert as_assistant.get(f"/publishing/posts/{data['id']}").status_code == 200
    assert as_assistant.post(f"/publishing/posts/{data['id']}/approve").status_code == 404
    assert [p["id"] for p in as_executive.get("/publishing/posts").json()["items"]] == [data["id"]]
    with django_capture_on_commit_callbacks(execute=True):
        approved = as_executive.post(f"/publishing/posts/{data['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "scheduled"
    assert Post.objects.get(pk=data["id"]).state == PostState.PUBLISHED
    assert len(fake_x.tweets_of()) == 1
    again = as_executive.post(f"/publishing/posts/{data['id']}/approve")
    assert again.status_code == 409

    other = make_live_item(manager, approver, title="Autre")
    second = as_assistant.post(
        "/publishing/posts",
        {
            "connection_id": connection.pk,
            "item_id": other.pk,
            "when": "at",
            "at": later().isoformat(),
        },
    )
    assert second.status_code == 201, second.content
    declined = as_executive.post(f"/publishing/posts/{second.json()['id']}/decline")
    assert declined.status_code == 200
    assert declined.json()["state"] == "cancelled" and declined.json()["error"]


def test_a_failed_post_is_tried_again(
    ambassador, item, x_connection, fake_x, api, django_capture_on_commit_callbacks
):
    post = schedule(ambassador, x_connection, item)
    client = api(ambassador)
    not_failed = client.post(f"/publishing/posts/{post.pk}/retry")
    assert not_failed.status_code == 409
    Post.objects.filter(pk=post.pk).update(state=PostState.FAILED, error="X said no.")
    assert client.get(f"/publishing/posts/{post.pk}").json()["error"] == "X said no."
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/publishing/posts/{post.pk}/retry")
    assert retried.status_code == 200
    assert (retried.json()["state"], retried.json()["error"]) == ("scheduled", "")
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert len(fake_x.tweets_of()) == 1


def test_a_linkedin_post_has_no_engagement(ambassador, item, api):
    linkedin = connections._store(
        membership=ambassador,
        network="linkedin",
        account=Account(account_id="urn:li:person:abc", handle="Ada", display_name="Ada L."),
        tokens=TokenSet(access_token="li-secret-token", expires_at=later(24 * 30)),
        instance="",
    )
    post = schedule(ambassador, linkedin, item)
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED, published_at=clock.now())
    response = api(ambassador).get(f"/publishing/posts/{post.pk}")
    assert response.status_code == 200
    assert response.json()["network"] == "linkedin" and response.json()["engagement"] is None
    assert b"li-secret-token" not in response.content
