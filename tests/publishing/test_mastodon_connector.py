"""The Mastodon connector against a running Mastodon mock (`mastodon-mock`, see
tests/peers/mastodon_peer.py), once behind the fake Mastodon (tests/peers/fake_mastodon.py)
acting as a gateway that loses the answer. What the mock cannot show (Mastodon's exact
401/422/429 answers, the PKCE check) is in test_mastodon_answers.py.

The mock starts once per file (module-scoped fixture): 1.3 to 3 s on an idle machine.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.networks.base import (
    AuthError,
    ConnectionCtx,
    PermanentError,
    PostRequest,
    RateLimited,
    TokenSet,
    TransientError,
)
from portevoix.networks.mastodon import MastodonConnector
from tests.peers.fake_mastodon import REDIRECT_URI, FakeMastodon, fake_mastodon_fixtures
from tests.peers.mastodon_peer import MastodonPeer, MockAccount, run_mastodon_mock
from tests.publishing._mastodon_helpers import make_post, pkce_pair

pytestmark = pytest.mark.peers

connector = MastodonConnector()
fake_server, fake = fake_mastodon_fixtures()


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    with run_mastodon_mock() as running:
        yield running


@pytest.fixture
def mock(peer: MastodonPeer) -> Iterator[MastodonPeer]:
    yield peer
    peer.clear_faults()


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def ctx_for(instance: str, account: MockAccount) -> ConnectionCtx:
    return ConnectionCtx(
        network="mastodon",
        account_id=account.id,
        handle=f"@{account.username}",
        tokens=TokenSet(access_token=account.access_token),
        instance=instance,
    )


# --------------------------------------------------------------------------- the mock


def test_mock_runs_on_loopback_with_its_own_database(peer: MastodonPeer) -> None:
    assert peer.base_url.startswith("http://127.0.0.1:")
    assert peer.startup_seconds > 0  # reported, not asserted: it depends on the machine's load
    assert peer.db_path.exists()  # file-backed SQLite, one per worker
    me = peer.me(peer.ambassador_token)
    assert me["username"] == "ambassador"
    assert me["url"] == f"{peer.base_url}/@ambassador"


def test_register_app(mock: MastodonPeer) -> None:
    creds = connector.register_app(mock.base_url, REDIRECT_URI)
    assert creds.client_id and creds.client_secret
    assert creds.redirect_uri == REDIRECT_URI
    # The app exists on the instance with our name and scopes.
    app_token = mock.api(
        "POST",
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
    ).json()["access_token"]
    app = mock.api("GET", "/api/v1/apps/verify_credentials", token=app_token).json()
    assert app["name"] == "Portevoix"
    assert app["scopes"] == ["read", "write"]


def test_oauth_flow_authorize_code_token_account(mock: MastodonPeer) -> None:
    creds = connector.register_app(mock.base_url, REDIRECT_URI)
    user = mock.create_account(unique("oauth"), "OAuth User")
    verifier, challenge = pkce_pair()

    url = connector.authorize_url(
        creds, state="state-123", code_challenge=challenge, instance=mock.base_url
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{mock.base_url}/oauth/authorize"
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": creds.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "read write",
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }

    # The user picks their account on the instance's page; it redirects back with a code.
    answer = mock.authorize(url, user.username)
    assert answer["state"] == "state-123"
    assert answer["code"]

    tokens = connector.exchange_code(
        creds, code=answer["code"], code_verifier=verifier, instance=mock.base_url
    )
    assert tokens.access_token
    assert tokens.expires_at is None and tokens.refresh_token == ""
    assert not connector.needs_refresh(tokens, dt.datetime.now(dt.UTC) + dt.timedelta(days=3650))

    [account] = connector.accounts(tokens, client=creds, instance=mock.base_url)
    host = urlsplit(mock.base_url).netloc
    assert account.account_id == user.id
    assert account.handle == f"@{user.username}@{host}"
    assert account.display_name == "OAuth User"
    assert account.url == f"{mock.base_url}/@{user.username}"
    assert account.followers == 0


def test_exchange_code_refused(mock: MastodonPeer) -> None:
    creds = connector.register_app(mock.base_url, REDIRECT_URI)
    with pytest.raises(AuthError):
        connector.exchange_code(creds, code="not-a-code", instance=mock.base_url)


def test_publish_sends_idempotency_key_and_the_mock_honours_it(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("pub"))
    ctx = ctx_for(mock.base_url, user)
    post, saved = make_post()

    result = connector.publish(ctx, post)
    assert result.remote_id
    assert result.url == f"{mock.base_url}/@{user.username}/{result.remote_id}"
    assert saved and "first_attempt_at" in saved[0]  # saved before the POST

    status = mock.api("GET", f"/api/v1/statuses/{result.remote_id}").json()
    assert status["visibility"] == "public"
    assert f'href="{post.link_url}"' in status["content"]

    # A second POST with the same Idempotency-Key (even another text) returns the first
    # status: the mock honours the key (it keeps keys forever; real Mastodon one hour).
    again = PostRequest(key=post.key, text="something else entirely", link_url=post.link_url)
    assert connector.publish(ctx, again).remote_id == result.remote_id
    assert len(mock.statuses_of(user.id)) == 1

    # Another key makes another status.
    other, _ = make_post(text=post.text)
    assert connector.publish(ctx, other).remote_id != result.remote_id
    assert len(mock.statuses_of(user.id)) == 2


def test_find_published_after_a_lost_response(
    mock: MastodonPeer, fake: tuple[FakeMastodon, str]
) -> None:
    """A reverse proxy that answers 504 after Mastodon created the status (the mock itself
    cannot lose a response: it drops the request when the client goes away)."""
    gateway, gateway_url = fake
    gateway.mode = "gateway_timeout"
    gateway.upstream = mock
    user = mock.create_account(unique("lost"))
    post, saved = make_post()
    assert connector.find_published(ctx_for(mock.base_url, user), post) is None
    with pytest.raises(TransientError) as lost:
        connector.publish(ctx_for(gateway_url, user), post)
    assert lost.value.status == 504
    assert saved  # the engine committed the attempt's state before the POST

    ctx = ctx_for(mock.base_url, user)
    found = connector.find_published(ctx, post)
    assert found is not None
    [status] = mock.statuses_of(user.id)
    assert found.remote_id == status["id"]
    assert found.url == status["url"]
    # Had the engine retried without asking, the Idempotency-Key still avoids a duplicate.
    assert connector.publish(ctx, post).remote_id == status["id"]
    assert len(mock.statuses_of(user.id)) == 1


def test_find_published_reads_back_to_the_first_attempt(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("busy"))
    ctx = ctx_for(mock.base_url, user)
    # The tracked link carries a query: Mastodon writes `&amp;` in the href.
    post, _ = make_post(link=f"https://go.portevoix.test/s/{secrets.token_hex(4)}?a=1&b=2")
    post.state = {"first_attempt_at": dt.datetime.now(dt.UTC).isoformat()}
    lost = mock.post_status(user.access_token, post.text, idempotency_key=post.key)
    assert "&amp;" in lost["content"]
    for n in range(41):  # more than one page (40) of later statuses
        mock.post_status(user.access_token, f"later status {n}")

    found = connector.find_published(ctx, post)
    assert found is not None and found.remote_id == lost["id"]

    # Without a recorded attempt, only the latest page is read.
    post.state = {}
    assert connector.find_published(ctx, post) is None


def test_find_published_matches_the_exact_link(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("exact"))
    ctx = ctx_for(mock.base_url, user)
    post, _ = make_post()
    mock.post_status(user.access_token, f"another share {post.link_url}9 and {post.link_url}/x")
    mock.post_status(user.access_token, f"plain text mention of {post.key}")
    assert connector.find_published(ctx, post) is None


def test_metrics_after_another_account_interacts(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("amb"))
    fan = mock.create_account(unique("fan"))
    fan2 = mock.create_account(unique("fan"))
    ctx = ctx_for(mock.base_url, user)
    post, _ = make_post()
    remote_id = connector.publish(ctx, post).remote_id

    before = connector.fetch_metrics(ctx, [remote_id])[remote_id]
    assert (before.likes, before.replies, before.reposts) == (0, 0, 0)

    mock.favourite(fan.access_token, remote_id)
    mock.favourite(fan2.access_token, remote_id)
    mock.reblog(fan.access_token, remote_id)
    mock.reply(fan2.access_token, remote_id, f"@{user.username} great read")

    gone = mock.post_status(user.access_token, "soon deleted")
    mock.api("DELETE", f"/api/v1/statuses/{gone['id']}", token=user.access_token)

    metrics = connector.fetch_metrics(ctx, [remote_id, gone["id"]])
    assert set(metrics) == {remote_id}  # a deleted status is skipped
    got = metrics[remote_id]
    assert (got.likes, got.replies, got.reposts) == (2, 1, 1)
    assert got.quotes is None and got.impressions is None


def test_followers(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("star"))
    ctx = ctx_for(mock.base_url, user)
    assert connector.fetch_followers(ctx) == 0
    for _ in range(2):
        mock.follow(mock.create_account(unique("f")).access_token, user.id)
    assert connector.fetch_followers(ctx) == 2
    [account] = connector.accounts(ctx.tokens, instance=mock.base_url)
    assert account.followers == 2


def test_too_long_is_permanent_and_revoked_token_is_auth_error(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("err"))
    ctx = ctx_for(mock.base_url, user)
    post, _ = make_post(text="x" * 501)
    with pytest.raises(PermanentError) as refused:
        connector.publish(ctx, post)
    assert not isinstance(refused.value, AuthError)
    assert refused.value.status == 422
    assert "Text is too long" in refused.value.user_message

    connector.revoke(ctx)
    with pytest.raises(AuthError) as revoked:
        connector.accounts(ctx.tokens, instance=mock.base_url)
    assert revoked.value.status == 401
    connector.revoke(ctx)  # best effort, idempotent: never raises


def test_rate_limited_and_server_errors_from_the_mock(mock: MastodonPeer) -> None:
    user = mock.create_account(unique("rl"))
    ctx = ctx_for(mock.base_url, user)
    reset = "2031-01-02T03:05:00.000000Z"
    mock.fail_next(
        "POST",
        "/api/v1/statuses",
        429,
        body={"error": "Too many requests"},
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
        },
    )
    post, _ = make_post()
    with pytest.raises(RateLimited) as limited:
        connector.publish(ctx, post)
    assert limited.value.retry_at == dt.datetime(2031, 1, 2, 3, 5, tzinfo=dt.UTC)

    mock.fail_next("GET", f"/api/v1/accounts/{user.id}/statuses", 503)
    with pytest.raises(TransientError) as unavailable:
        connector.find_published(ctx, post)
    assert not isinstance(unavailable.value, RateLimited)
    # Nothing was created by the refused attempt; the next one goes through.
    assert connector.find_published(ctx, post) is None
    assert connector.publish(ctx, post).remote_id


def test_the_mock_sends_rate_limit_headers(mock: MastodonPeer) -> None:
    response = mock.api("GET", "/api/v1/accounts/verify_credentials", token=mock.fan_token)
    assert response.headers["X-RateLimit-Limit"] == "300"
    assert int(response.headers["X-RateLimit-Remaining"]) < 300
