"""The Threads connector against the local fake of the Threads API (tests/peers/fake_threads.py)."""

from __future__ import annotations

import datetime as dt
import functools
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from portevoix.networks import base, get
from portevoix.networks.base import (
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    PermanentError,
    PostRequest,
    RateLimited,
    TokenSet,
    TransientError,
)
from portevoix.networks.threads import ThreadsConnector
from tests.peers.fake_threads import FakeThreads
from tests.peers.server import FakeApp, serve

pytestmark = pytest.mark.peers

USER = "7701"
LINK = "https://pv.test/l/Ab3dE"


# httpx builds a TLS context for every client (tens of milliseconds); the fake is plain http,
# so the tests hand every client one context made once. Everything else is base.http_client.
TLS = ssl.create_default_context()


@pytest.fixture(autouse=True)
def _one_tls_context(monkeypatch):
    monkeypatch.setattr(base, "http_client", functools.partial(base.http_client, verify=TLS))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeApp, str]]:
    app = FakeApp("threads")
    with serve(app) as url:
        yield app, url


@pytest.fixture
def fake(server, settings, monkeypatch) -> FakeThreads:
    """A fresh fake Threads (state, routes and call log) on the module's server."""
    monkeypatch.setattr(ThreadsConnector, "container_poll_interval", 0.0)
    app, url = server
    fake = FakeThreads(app=app, base_url=url)
    fake.add_user(USER, "alice", "Alice Ambassador")
    settings.SOCIAL_ENDPOINTS = {
        "threads": {
            "authorize": "https://threads.test/oauth/authorize",
            "api": url,
            "version": fake.version,
        }
    }
    return fake


@pytest.fixture
def connector() -> ThreadsConnector:
    found = get("threads")
    assert isinstance(found, ThreadsConnector)
    return found


def client_for(fake: FakeThreads) -> ClientCredentials:
    return ClientCredentials(fake.client_id, fake.client_secret, fake.redirect_uri)


def ctx_for(token: str) -> ConnectionCtx:
    return ConnectionCtx(
        network="threads",
        account_id=USER,
        handle="alice",
        tokens=TokenSet(access_token=token, expires_at=timezone.now() + dt.timedelta(days=50)),
    )


class Saver:
    """Records what the connector saves, and how many requests the fake had seen then."""

    def __init__(self, fake: FakeThreads, *, fail: bool = False) -> None:
        self.fake = fake
        self.fail = fail
        self.saved: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, state: dict[str, Any]) -> None:
        self.saved.append((len(self.fake.app.calls), dict(state)))
        if self.fail:
            raise RuntimeError("the worker died right after saving")

    @property
    def last(self) -> dict[str, Any]:
        return self.saved[-1][1]


def make_post(saver: Saver, state: dict[str, Any] | None = None) -> PostRequest:
    return PostRequest(
        key="0" * 32,
        text=f"Our new report is out {LINK}",
        link_url=LINK,
        state=dict(state or {}),
        save_state=saver,
    )


def form_of(call: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(call.body.decode()).items()}


# --------------------------------------------------------------------------- connecting


def test_authorize_url_asks_for_publish_and_insights(connector, fake):
    url = connector.authorize_url(client_for(fake), state="st4te")
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://threads.test/oauth/authorize"
    assert query == {
        "client_id": fake.client_id,
        "redirect_uri": fake.redirect_uri,
        "scope": "threads_basic,threads_content_publish,threads_manage_insights",
        "response_type": "code",
        "state": "st4te",
    }


def test_exchange_code_then_long_lived_token(connector, fake):
    code = fake.issue_code(USER)
    tokens = connector.exchange_code(client_for(fake), code=code)

    stored = fake.tokens[tokens.access_token]
    assert stored.long_lived and stored.user_id == USER
    assert tokens.extra["user_id"] == USER
    # 60 days, from the documented expires_in.
    assert tokens.expires_at is not None
    assert abs(tokens.expires_at - (timezone.now() + dt.timedelta(days=60))) < dt.timedelta(
        minutes=1
    )
    first, second = fake.app.calls
    assert (first.method, first.path) == ("POST", "/oauth/access_token")
    assert form_of(first)["grant_type"] == "authorization_code"
    assert form_of(first)["client_secret"] == fake.client_secret
    assert (second.method, second.path) == ("GET", "/access_token")
    assert second.query["grant_type"] == "th_exchange_token"
    short = second.query["access_token"]
    assert not fake.tokens[short].long_lived

    # A code is single use.
    with pytest.raises(PermanentError) as refused:
        connector.exchange_code(client_for(fake), code=code)
    assert not isinstance(refused.value, AuthError)
    assert "already used" in refused.value.detail


def test_accounts_reads_the_profile_and_followers(connector, fake):
    fake.set_followers(USER, 321)
    token = fake.long_lived_token(USER)
    [account] = connector.accounts(TokenSet(access_token=token))
    assert account.account_id == USER
    assert account.handle == "alice"
    assert account.display_name == "Alice Ambassador"
    assert account.url == "https://www.threads.net/@alice"
    assert account.followers == 321
    me = next(c for c in fake.app.calls if c.path == "/v1.0/me")
    assert me.query["fields"] == "id,username,name,threads_profile_picture_url"


# --------------------------------------------------------------------------- refresh


def test_refresh_of_a_young_token_is_refused_by_threads(connector, fake):
    token = fake.long_lived_token(USER, age_hours=2)
    # Without our record of when it was issued, the call is made and Threads refuses it.
    ctx = ctx_for(token)
    with pytest.raises(PermanentError) as refused:
        connector.refresh(ctx)
    assert not isinstance(refused.value, AuthError)  # the token still works: no reconnect
    assert "24 hours" in refused.value.detail
    assert fake.app.calls[-1].path == "/refresh_access_token"

    # With it, the connector does not even ask: not due, and refresh() keeps the token.
    issued = timezone.now() - dt.timedelta(hours=2)
    young = TokenSet(
        access_token=token,
        expires_at=timezone.now() + dt.timedelta(days=3),
        extra={"issued_at": issued.isoformat()},
    )
    assert connector.needs_refresh(young, timezone.now()) is False
    calls = len(fake.app.calls)
    ctx.tokens = young
    assert connector.refresh(ctx) is young
    assert len(fake.app.calls) == calls


def test_refresh_of_a_long_lived_token(connector, fake):
    # 54 days old: 6 days left, inside the 7-day margin.
    token = fake.long_lived_token(USER, age_hours=54 * 24)
    issued = timezone.now() - dt.timedelta(days=54)
    tokens = TokenSet(
        access_token=token,
        expires_at=issued + dt.timedelta(days=60),
        scope="threads_basic",
        extra={"user_id": USER, "issued_at": issued.isoformat()},
    )
    assert connector.needs_refresh(tokens, timezone.now()) is True
    assert connector.needs_refresh(tokens, timezone.now() - dt.timedelta(days=2)) is False

    ctx = ctx_for(token)
    ctx.tokens = tokens
    fresh = connector.refresh(ctx)

    call = fake.app.calls[-1]
    assert (call.path, call.query["grant_type"]) == ("/refresh_access_token", "th_refresh_token")
    assert fresh.access_token != token and fake.tokens[fresh.access_token].long_lived
    assert fresh.expires_at is not None
    assert fresh.expires_at - timezone.now() > dt.timedelta(days=59)
    assert fresh.extra["user_id"] == USER
    assert connector.needs_refresh(fresh, timezone.now()) is False
    # The new token works.
    assert connector.accounts(fresh)[0].account_id == USER


def test_refresh_of_an_expired_token_needs_a_reconnect(connector, fake):
    token = fake.long_lived_token(USER, age_hours=30 * 24)
    fake.expire_token(token)
    with pytest.raises(AuthError):
        connector.refresh(ctx_for(token))  # Threads: 190
    assert fake.app.calls[-1].path == "/refresh_access_token"

    past = ctx_for(token)
    past.tokens.expires_at = timezone.now() - dt.timedelta(minutes=1)
    calls = len(fake.app.calls)
    with pytest.raises(AuthError):
        connector.refresh(past)  # known expired: no call
    assert len(fake.app.calls) == calls


# --------------------------------------------------------------------------- publishing


def test_publish_saves_the_container_before_publishing_it(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    result = connector.publish(ctx_for(token), make_post(saver))

    [publish_index] = fake.publish_calls()
    publish_call = fake.app.calls[publish_index]
    creation_id = form_of(publish_call)["creation_id"]
    seen_then, first_state = saver.saved[0]
    assert first_state == {"container_id": creation_id}
    assert seen_then <= publish_index  # saved before threads_publish reached Threads

    create = next(c for c in fake.app.calls if c.path == f"/v1.0/{USER}/threads")
    assert form_of(create)["media_type"] == "TEXT"
    assert form_of(create)["text"] == f"Our new report is out {LINK}"
    assert form_of(create)["link_attachment"] == LINK
    status_checks = [c for c in fake.app.calls if c.path == f"/v1.0/{creation_id}"]
    assert status_checks and status_checks[0].query["fields"] == "status,error_message"

    media = fake.media[result.remote_id]
    assert media.text.endswith(LINK) and media.link == LINK
    assert result.url == f"https://www.threads.net/@alice/post/{media.shortcode}"
    assert fake.containers[creation_id].status == "PUBLISHED"
    assert saver.last == {"container_id": creation_id, "media_id": result.remote_id}


def test_find_published_without_a_container_is_none(connector, fake):
    token = fake.long_lived_token(USER)
    assert connector.find_published(ctx_for(token), make_post(Saver(fake))) is None
    assert fake.app.calls == []


def test_lost_answer_of_threads_publish_is_found_again(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    fake.fail_next_publish_after_commit()
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), make_post(saver))
    assert "media_id" not in saver.last  # only the container was known

    retry = make_post(Saver(fake), saver.last)
    found = connector.find_published(ctx_for(token), retry)

    [media] = fake.user_media(USER)
    assert found is not None and found.remote_id == media.media_id
    assert found.url.endswith(media.shortcode)
    listing = next(c for c in fake.app.calls if c.path == f"/v1.0/{USER}/threads" and c.query)
    assert listing.query["fields"].startswith("id,text,permalink")
    assert fake.container_creations() == 1 and len(fake.publish_calls()) == 1

    # Even if the engine called publish, it would not publish twice.
    again = connector.publish(ctx_for(token), retry)
    assert again.remote_id == media.media_id
    assert fake.container_creations() == 1 and len(fake.publish_calls()) == 1


def test_saved_media_id_is_used_directly(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    result = connector.publish(ctx_for(token), make_post(saver))
    calls = len(fake.app.calls)
    found = connector.find_published(ctx_for(token), make_post(Saver(fake), saver.last))
    assert found is not None and found.remote_id == result.remote_id
    assert found.url == result.url
    # Container status, then the media by id: no listing.
    assert [c.path for c in fake.app.calls[calls:]] == [
        f"/v1.0/{saver.last['container_id']}",
        f"/v1.0/{result.remote_id}",
    ]


def test_finished_container_is_reused_never_a_second_one(connector, fake):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    container_id = crashed.last["container_id"]
    assert fake.publish_calls() == [] and fake.container_creations() == 1

    retry_saver = Saver(fake)
    retry = make_post(retry_saver, crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None  # FINISHED: not published
    result = connector.publish(ctx_for(token), retry)

    assert fake.container_creations() == 1
    [publish_index] = fake.publish_calls()
    assert form_of(fake.app.calls[publish_index])["creation_id"] == container_id
    assert fake.containers[container_id].media_id == result.remote_id
    assert len(fake.user_media(USER)) == 1


@pytest.mark.parametrize("status", ["EXPIRED", "ERROR"])
def test_expired_or_failed_container_gives_a_new_one(connector, fake, status):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    old = crashed.last["container_id"]
    fake.set_container_status(old, status, error_message="UNKNOWN")

    saver = Saver(fake)
    retry = make_post(saver, crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None
    result = connector.publish(ctx_for(token), retry)

    assert fake.container_creations() == 2
    new = saver.saved[0][1]["container_id"]
    assert new != old
    [publish_index] = fake.publish_calls()
    assert saver.saved[0][0] <= publish_index
    assert form_of(fake.app.calls[publish_index])["creation_id"] == new
    assert fake.containers[old].status == status
    assert [m.media_id for m in fake.user_media(USER)] == [result.remote_id]


def test_unknown_container_is_searched_for_then_replaced(connector, fake):
    token = fake.long_lived_token(USER)
    saver = Saver(fake)
    fake.fail_next_publish_after_commit()
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), make_post(saver))
    # Threads forgets the container: the post is found by its link all the same.
    del fake.containers[saver.last["container_id"]]
    retry = make_post(Saver(fake), saver.last)
    found = connector.find_published(ctx_for(token), retry)
    [media] = fake.user_media(USER)
    assert found is not None and found.remote_id == media.media_id

    # A forgotten container that never published: a new one.
    crashed = Saver(fake, fail=True)
    other = make_post(crashed)
    other.text, other.link_url = "Second item https://pv.test/l/Zz9", "https://pv.test/l/Zz9"
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), other)
    del fake.containers[crashed.last["container_id"]]
    other.state, other.save_state = dict(crashed.last), Saver(fake)
    assert connector.find_published(ctx_for(token), other) is None
    result = connector.publish(ctx_for(token), other)
    assert fake.container_creations() == 3
    assert [m.media_id for m in fake.user_media(USER)] == [result.remote_id, media.media_id]


def test_container_in_progress_is_waited_for(connector, fake):
    token = fake.long_lived_token(USER)
    crashed = Saver(fake, fail=True)
    with pytest.raises(RuntimeError):
        connector.publish(ctx_for(token), make_post(crashed))
    container_id = crashed.last["container_id"]

    # Still processing longer than we wait: no publish, try again later.
    fake.set_container_status(container_id, "FINISHED", in_progress_polls=10)
    retry = make_post(Saver(fake), crashed.last)
    assert connector.find_published(ctx_for(token), retry) is None
    with pytest.raises(TransientError):
        connector.publish(ctx_for(token), retry)
    assert fake.publish_calls() == []

    # Ready after two more reads: published, with the same container.
    fake.set_container_status(container_id, "FINISHED", in_progress_polls=2)
    result = connector.publish(ctx_for(token), retry)
    assert fake.containers[container_id].media_id == result.remote_id
    assert fake.container_creations() == 1


def test_text_too_long_is_a_permanent_refusal(connector, fake):
    token = fake.long_lived_token(USER)
    post = make_post(Saver(fake))
    post.text = "x" * 501 + " " + LINK
    with pytest.raises(PermanentError) as refused:
        connector.publish(ctx_for(token), post)
    assert not isinstance(refused.value, AuthError)
    assert "500 characters" in refused.value.user_message
    assert fake.containers == {}


# --------------------------------------------------------------------------- errors


def test_expired_token_is_an_auth_error(connector, fake):
    token = fake.long_lived_token(USER)
    fake.expire_token(token)
    with pytest.raises(AuthError) as refused:
        connector.publish(ctx_for(token), make_post(Saver(fake)))
    assert refused.value.status == 400
    assert '"code": 190' in refused.value.detail and "463" in refused.value.detail
    assert fake.containers == {}
    with pytest.raises(AuthError):
        connector.fetch_metrics(ctx_for(token), ["1"])


def test_rate_limit_code_4_is_rate_limited(connector, fake):
    token = fake.long_lived_token(USER)
    fake.storm(3, code=4)
    for _ in range(3):
        with pytest.raises(RateLimited) as limited:
            connector.publish(ctx_for(token), make_post(Saver(fake)))
        assert limited.value.retry_at is None  # X-App-Usage says how much, not when
        assert limited.value.status == 400
    assert fake.containers == {}
    assert connector.publish(ctx_for(token), make_post(Saver(fake))).remote_id


def test_http_429_storm_is_rate_limited_with_retry_after(connector, fake):
    token = fake.long_lived_token(USER)
    fake.storm(2, status=429, retry_after=120)
    for _ in range(2):
        with pytest.raises(RateLimited) as limited:
            connector.fetch_followers(ctx_for(token))
        assert limited.value.status == 429
        assert limited.value.retry_at is not None
        wait = limited.value.retry_at - timezone.now()
        assert dt.timedelta(seconds=100) < wait <= dt.timedelta(seconds=120)
    fake.storm(1, status=429)
    with pytest.raises(RateLimited) as limited:
        connector.fetch_followers(ctx_for(token))
    assert limited.value.retry_at is None


# --------------------------------------------------------------------------- what came back


def test_insights_metrics(connector, fake):
    token = fake.long_lived_token(USER)
    result = connector.publish(ctx_for(token), make_post(Saver(fake)))
    fake.set_metrics(result.remote_id, views=1200, likes=34, replies=5, reposts=3, quotes=2)

    metrics = connector.fetch_metrics(ctx_for(token), [result.remote_id, "404404"])

    assert list(metrics) == [result.remote_id]  # an unknown or deleted post is skipped
    m = metrics[result.remote_id]
    assert (m.impressions, m.likes, m.replies, m.reposts, m.quotes) == (1200, 34, 5, 3, 2)
    call = next(c for c in fake.app.calls if c.path == f"/v1.0/{result.remote_id}/insights")
    assert call.query["metric"] == "views,likes,replies,reposts,quotes"


def test_followers(connector, fake):
    token = fake.long_lived_token(USER)
    fake.set_followers(USER, 4321)
    assert connector.fetch_followers(ctx_for(token)) == 4321
    call = fake.app.calls[-1]
    assert call.path == f"/v1.0/{USER}/threads_insights"
    assert call.query["metric"] == "followers_count"


# --------------------------------------------------------------------------- the fake itself


def test_fake_sends_usage_header_and_graph_errors(fake):
    response = httpx.get(f"{fake.base_url}/v1.0/me")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 104
    assert "fbtrace_id" in response.json()["error"]
    assert "call_count" in response.headers["x-app-usage"]
    token = fake.long_lived_token(USER)
    ok = httpx.get(f"{fake.base_url}/v1.0/me", params={"access_token": token})
    assert ok.json() == {"id": USER}
    assert "call_count" in ok.headers["x-app-usage"]
