"""The Threads connector against the local fake of the Threads API (tests/peers/fake_threads.py):
connecting, refreshing tokens, errors, metrics and followers. Publishing is in
test_threads_publishing.py."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from portevoix.networks.base import AuthError, PermanentError, RateLimited, TokenSet
from tests.publishing._threads_helpers import (
    USER,
    Saver,
    client_for,
    ctx_for,
    form_of,
    make_post,
    threads_fixtures,
)

pytestmark = pytest.mark.peers

_one_tls_context, server, fake, connector = threads_fixtures()


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
