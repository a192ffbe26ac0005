"""The publishing API with real tokens: connections (never their tokens), posts now / at a
time / at the best time against the fake X, delegated approval, the best time, crisis pauses
and the posting rhythm; error shapes and tenant isolation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, engine, services, sync
from portevoix.publishing.models import CadenceRule, Connection, ConnectionStatus, Post, PostState
from portevoix.publishing.tokens import unseal
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_live_item, make_member
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


class RecordingClient(ApiClient):
    """An API client that keeps every response body, to search them for secrets."""

    bodies: list[bytes]

    def __init__(self, secret: str | None, bodies: list[bytes]) -> None:
        super().__init__(secret)
        self.bodies = bodies

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = super().request(method, path, body, **kw)
        self.bodies.append(response.content)
        return response


@pytest.fixture
def bodies() -> list[bytes]:
    return []


@pytest.fixture
def api(bodies):
    def make(membership) -> RecordingClient:
        return RecordingClient(token_for(membership), bodies)

    return make


@pytest.fixture
def anonymous(bodies) -> RecordingClient:
    return RecordingClient(None, bodies)


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def later(hours: float = 3) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


def secrets_of(connection: Connection) -> list[str]:
    connection.refresh_from_db()
    tokens = unseal(connection.tokens_encrypted)
    found = [tokens.access_token, connection.tokens_encrypted]
    if tokens.refresh_token:
        found.append(tokens.refresh_token)
    return found


def assert_no_secret(bodies: list[bytes], connection: Connection) -> None:
    assert bodies
    for secret in secrets_of(connection):
        assert secret
        for body in bodies:
            assert secret.encode() not in body


def schedule(ambassador, connection, item, at: dt.datetime | None = None) -> Post:
    return services.post_create(
        actor=ambassador,
        draft=services.PostDraft(
            connection_id=connection.pk, item_id=item.pk, when="at", at=at or later()
        ),
    )


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


# --------------------------------------------------------------------------- crisis pause


def test_pause_hold_resume_release(community, ambassador, item, x_connection, fake_x, api):
    post = schedule(ambassador, x_connection, item)
    client = api(community)
    started = client.post("/publishing/pauses", {"reason": "Crise en cours"})
    assert started.status_code == 201, started.content
    pause = started.json()
    assert (pause["reason"], pause["campaign"], pause["ended_at"], pause["held"]) == (
        "Crise en cours",
        None,
        None,
        0,
    )
    assert pause["started_by_id"] == community.pk
    assert client.post("/publishing/pauses", {"reason": "Encore"}).status_code == 409
    # What comes due during the pause is held.
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    assert engine.posts_hold_paused() == 1
    listed = client.get("/publishing/pauses").json()
    assert [(p["id"], p["held"]) for p in listed["active"]] == [(pause["id"], 1)]
    assert listed["recent"] == []
    # Held posts are decided after the pause only.
    early = client.post(f"/publishing/pauses/{pause['id']}/held", {"decision": "release"})
    assert early.status_code == 409

    ended = client.post(f"/publishing/pauses/{pause['id']}/end")
    assert ended.status_code == 200
    assert ended.json()["ended_at"] and ended.json()["ended_by_id"] == community.pk
    assert ended.json()["held"] == 1
    assert client.post(f"/publishing/pauses/{pause['id']}/end").status_code == 409
    listed = client.get("/publishing/pauses").json()
    assert listed["active"] == [] and [p["held"] for p in listed["recent"]] == [1]

    bad = client.post(f"/publishing/pauses/{pause['id']}/held", {"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.json()["errors"]
    released = client.post(
        f"/publishing/pauses/{pause['id']}/held", {"decision": "release", "post_ids": [post.pk]}
    )
    assert released.status_code == 200 and released.json() == {"count": 1}
    post.refresh_from_db()
    assert post.state in (PostState.SCHEDULED, PostState.PUBLISHED)
    assert post.held_by_id == pause["id"]


def test_pause_errors(community, ambassador, outsider, api):
    as_ambassador = api(ambassador)
    refused = as_ambassador.post("/publishing/pauses", {"reason": "Non"})
    assert refused.status_code == 403 and refused.json()["detail"]
    assert as_ambassador.get("/publishing/pauses").status_code == 403
    client = api(community)
    blank = client.post("/publishing/pauses", {"reason": "   "})
    assert blank.status_code == 400 and blank.json()["errors"]["reason"]
    assert client.post("/publishing/pauses", {}).status_code == 422
    too_long = client.post("/publishing/pauses", {"reason": "x" * 2001})
    assert too_long.status_code == 422 and "reason" in too_long.json()["errors"]
    # Another organization's campaign is not found.
    from portevoix.content import services as content_services

    theirs = content_services.campaign_create(membership=outsider, name="Globex launch")
    assert (
        client.post("/publishing/pauses", {"reason": "Crise", "campaign_id": theirs.pk}).status_code
        == 404
    )
    pause = client.post("/publishing/pauses", {"reason": "Crise"}).json()
    assert api(outsider).post(f"/publishing/pauses/{pause['id']}/end").status_code == 404
    assert api(outsider).get("/publishing/pauses").json() == {"active": [], "recent": []}


def test_pause_one_campaign(community, manager, api):
    from portevoix.content import services as content_services

    campaign = content_services.campaign_create(membership=manager, name="Salon 2030")
    response = api(community).post(
        "/publishing/pauses", {"reason": "Salon annulé", "campaign_id": campaign.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["campaign"] == {"id": campaign.pk, "name": "Salon 2030"}


# --------------------------------------------------------------------------- cadence


def test_cadence_read_and_set(community, admin, ambassador, api):
    client = api(community)
    rules = client.get("/publishing/cadence")
    assert rules.status_code == 200
    assert rules.json() == [
        {"network": code, "max_per_day": 0, "min_gap_minutes": 0}
        for code in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")
    ]
    saved = client.put("/publishing/cadence/x", {"max_per_day": 2, "min_gap_minutes": 90})
    assert saved.status_code == 200
    assert saved.json() == {"network": "x", "max_per_day": 2, "min_gap_minutes": 90}
    assert {r["network"]: r["max_per_day"] for r in api(admin).get("/publishing/cadence").json()}[
        "x"
    ] == 2
    bad = client.put("/publishing/cadence/x", {"max_per_day": -1, "min_gap_minutes": 99_999})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"max_per_day", "min_gap_minutes"}
    assert client.put("/publishing/cadence/x", {"max_per_day": 1}).status_code == 422
    assert (
        client.put(
            "/publishing/cadence/myspace", {"max_per_day": 1, "min_gap_minutes": 0}
        ).status_code
        == 404
    )
    # Both at 0 removes the rule.
    removed = client.put("/publishing/cadence/x", {"max_per_day": 0, "min_gap_minutes": 0})
    assert removed.status_code == 200 and not CadenceRule.objects.exists()
    # Ambassadors neither read nor set it.
    assert api(ambassador).get("/publishing/cadence").status_code == 403
    forbidden = api(ambassador).put(
        "/publishing/cadence/x", {"max_per_day": 1, "min_gap_minutes": 0}
    )
    assert forbidden.status_code == 403


def test_cadence_of_another_organization_is_untouched(community, outsider, api):
    services.cadence_set(actor=community, network="x", max_per_day=1, min_gap_minutes=0)
    assert api(outsider).put(
        "/publishing/cadence/x", {"max_per_day": 5, "min_gap_minutes": 0}
    ).json() == {"network": "x", "max_per_day": 5, "min_gap_minutes": 0}
    mine = CadenceRule.objects.get(organization_id=community.organization_id)
    assert mine.max_per_day == 1


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
