"""The whole path through the web pages against the real local peers: an ambassador connects
a Mastodon account (mastodon-mock: app registration, OAuth with PKCE) and a Bluesky account
(@atproto/dev-env: app password), publishes now on one and schedules on the other, other
people like and repost, and the engagement sync brings the figures to "My posts" and to the
rollups the dashboards read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.contrib.messages import get_messages
from django.test import Client

from portevoix.analytics.models import DailyRollup
from portevoix.core import clock
from portevoix.publishing import engine, sync
from portevoix.publishing.models import Connection, EngagementSnapshot, Post, PostState
from tests.peers.bluesky_peer import BlueskyPeer, bluesky_peer
from tests.peers.mastodon_peer import MastodonPeer, run_mastodon_mock

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


@pytest.fixture(scope="module")
def bluesky() -> Iterator[BlueskyPeer]:
    with bluesky_peer() as peer:
        yield peer


@pytest.fixture(scope="module")
def mastodon() -> Iterator[MastodonPeer]:
    with run_mastodon_mock() as running:
        yield running


@pytest.fixture
def browser(ambassador, settings) -> Client:
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    client = Client()
    client.force_login(ambassador.user)
    return client


def later_in(minutes: int, monkeypatch) -> None:
    moment = clock.now() + dt.timedelta(minutes=minutes)
    monkeypatch.setattr(clock, "now", lambda: moment)


def publish(client: Client, item, network: str, connection: Connection, **form) -> Post:
    response = client.post(
        f"/share/{item.pk}/{network}/publish/",
        {"connection": connection.pk, "when": "now", **form},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Post.objects.filter(connection=connection, item=item).get()


def test_mastodon_connect_publish_and_engagement(
    browser, ambassador, item, mastodon, monkeypatch, django_capture_on_commit_callbacks
):
    # Connect: our app registers on the server, the member consents, we keep the token.
    response = browser.post("/me/accounts/connect/mastodon/", {"instance": mastodon.base_url})
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{mastodon.base_url}/oauth/authorize")
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    assert query["code_challenge_method"] == "S256"
    params = mastodon.authorize(authorize_url, "ambassador")
    response = browser.get("/me/accounts/callback/mastodon/", params)
    assert response.status_code == 302
    connection = Connection.objects.get(membership=ambassador, network="mastodon")
    assert connection.handle.startswith("@ambassador@")
    assert connection.instance == mastodon.base_url

    # Publish now, through the share page's form.
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(browser, item, "mastodon", connection)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED, post.error
    statuses = mastodon.statuses_of(connection.account_id)
    assert [s["id"] for s in statuses if post.link.code in s["content"]] == [post.remote_id]

    # Someone favourites and boosts it; the sync brings the counts back.
    mastodon.favourite(mastodon.fan_token, post.remote_id)
    mastodon.reblog(mastodon.fan_token, post.remote_id)
    assert sync.engagement_sync() == 1
    snapshot = EngagementSnapshot.objects.get(post=post)
    assert (snapshot.likes, snapshot.reposts) == (1, 1)
    page = browser.get("/me/posts/").content.decode()
    assert "♥</span> 1" in page
    cell = DailyRollup.objects.get(membership_id=ambassador.pk, network="mastodon")
    assert cell.engagements == 2


def test_bluesky_connect_schedule_and_engagement(
    browser, ambassador, item, bluesky: BlueskyPeer, monkeypatch
):
    account = bluesky.create_account("ambassadrice")
    app_password = bluesky.create_app_password(account)
    response = browser.post(
        "/me/accounts/bluesky/",
        {"identifier": account.handle, "app_password": app_password, "service": bluesky.pds_url},
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert Connection.objects.filter(membership=ambassador, network="bluesky").exists(), said
    connection = Connection.objects.get(membership=ambassador, network="bluesky")
    assert connection.account_id == account.did
    # The app password itself is not kept: only the session.
    assert app_password not in connection.tokens_encrypted

    # Schedule for later: nothing goes out before its time.
    at = (clock.now() + dt.timedelta(hours=2)).astimezone(dt.UTC)
    post = publish(
        browser,
        item,
        "bluesky",
        connection,
        when="at",
        at=at.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M"),
        text="Une belle nouvelle à partager ✨",
    )
    assert post.state == PostState.SCHEDULED
    assert engine.posts_publish_due().get("published", 0) == 0
    later_in(125, monkeypatch)
    assert engine.posts_publish_due().get("published") == 1
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED, post.error
    assert post.remote_id.startswith(f"at://{account.did}/app.bsky.feed.post/")

    # The record as the network has it: our text, the link as a facet, a card.
    http = httpx.Client(timeout=30)
    did, collection, rkey = post.remote_id.removeprefix("at://").split("/")
    record = http.get(
        f"{bluesky.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
    ).json()
    assert record["value"]["text"] == post.text
    link = f"https://go.example.org/l/{post.link.code}"
    assert record["value"]["facets"][0]["features"][0]["uri"] == link
    assert record["value"]["embed"]["external"]["uri"] == link

    # A second account likes and reposts it; the AppView indexes; the sync brings it back.
    fan = bluesky.create_account("fan")
    fan_session = http.post(
        f"{bluesky.pds_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": fan.handle, "password": fan.password},
    ).json()
    subject = {"uri": post.remote_id, "cid": record["cid"]}
    for kind in ("app.bsky.feed.like", "app.bsky.feed.repost"):
        created = http.post(
            f"{bluesky.pds_url}/xrpc/com.atproto.repo.createRecord",
            json={
                "repo": fan_session["did"],
                "collection": kind,
                "record": {"$type": kind, "subject": subject, "createdAt": clock.now().isoformat()},
            },
            headers={"Authorization": f"Bearer {fan_session['accessJwt']}"},
        )
        assert created.status_code == 200, created.text
    bluesky.process_all()
    later_in(125 + 30, monkeypatch)
    assert sync.engagement_sync() == 1
    snapshot = EngagementSnapshot.objects.get(post=post)
    assert (snapshot.likes, snapshot.reposts, snapshot.impressions) == (1, 1, None)
    cell = DailyRollup.objects.get(membership_id=ambassador.pk, network="bluesky")
    assert (cell.shares, cell.engagements, cell.impressions) == (1, 2, 0)
