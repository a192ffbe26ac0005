"""The Mastodon connector against a running Mastodon mock (`mastodon-mock`, see
tests/peers/mastodon_peer.py), and against small FakeApps for what the mock cannot show:
Mastodon's exact 401/422/429 answers (documented at https://docs.joinmastodon.org/methods/statuses/
and https://docs.joinmastodon.org/api/rate-limits/: `X-RateLimit-Reset` is ISO 8601, no
`Retry-After`) and the PKCE check of `POST /oauth/token` (RFC 7636, Mastodon 4.3+).

The mock starts once per file (module-scoped fixture): 1.3 to 3 s on an idle machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

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
from portevoix.networks.mastodon import MastodonConnector
from tests.peers.mastodon_peer import MastodonPeer, MockAccount, run_mastodon_mock
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = pytest.mark.peers

connector = MastodonConnector()
REDIRECT_URI = "http://127.0.0.1:8000/connections/mastodon/callback"


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


def make_post(link: str | None = None, text: str = "") -> tuple[PostRequest, list[dict[str, Any]]]:
    link = link or f"https://go.portevoix.test/s/{secrets.token_hex(6)}"
    saved: list[dict[str, Any]] = []
    post = PostRequest(
        key=uuid.uuid4().hex,
        text=text or f"Our new report is out: {link} #advocacy",
        link_url=link,
        save_state=saved.append,
    )
    return post, saved


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


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


# --------------------------------------------------------------------------- FakeApp


class FakeMastodon(FakeApp):
    def __init__(self) -> None:
        super().__init__("mastodon")
        self.reset()

    def reset(self) -> None:
        # "ok", "rate_limited", "server_error", or "gateway_timeout": a reverse proxy in
        # front of `upstream` (the mock) that forwards POST /api/v1/statuses, then says 504.
        self.mode = "ok"
        self.upstream: MastodonPeer | None = None
        self.challenges: dict[str, str] = {}  # authorization code -> PKCE code_challenge
        with self.lock:
            self.calls.clear()


def mastodon_fake() -> FakeMastodon:
    """Mastodon's documented answers for `POST /api/v1/statuses`, an account's statuses and
    `POST /oauth/token` (with the PKCE check), switched by `app.mode`."""
    app = FakeMastodon()

    def limits(remaining: int = 299) -> dict[str, str]:
        reset = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=5)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    def checked(req: Req) -> Resp | None:
        if req.bearer() != "good-token":
            return Resp(401, {"error": "The access token is invalid"}, limits())
        if app.mode == "rate_limited":
            return Resp(429, {"error": "Too many requests"}, limits(0))
        return None

    @app.route("POST", "/api/v1/statuses")
    def post_status(req: Req) -> Resp:
        if app.mode == "gateway_timeout" and app.upstream is not None:
            app.upstream.api(
                "POST",
                "/api/v1/statuses",
                content=req.body,
                headers={
                    "Authorization": req.headers["authorization"],
                    "Idempotency-Key": req.headers["idempotency-key"],
                    "Content-Type": req.headers["content-type"],
                },
            ).raise_for_status()
            return Resp(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>")
        early = checked(req)
        if early:
            return early
        if app.mode == "server_error":
            return Resp(500, {"error": "We're sorry, but something went wrong on our end."})
        form = req.form()
        if len(form.get("status", "")) > 500:
            return Resp(
                422,
                {"error": "Validation failed: Text character limit of 500 exceeded"},
                limits(),
            )
        return Resp(
            200,
            {
                "id": "110000000000000001",
                "url": "https://fake.example/@ada/110000000000000001",
                "content": "<p>ok</p>",
                "card": None,
            },
            limits(),
        )

    @app.route("GET", "/api/v1/accounts/{account_id}/statuses")
    def account_statuses(req: Req) -> Resp:
        early = checked(req)
        if early:
            return early
        # A server that shortens the displayed link and only the card carries it whole.
        return Resp(
            200,
            [
                {
                    "id": "110000000000000007",
                    "url": "https://fake.example/@ada/110000000000000007",
                    "created_at": "2026-01-01T00:00:00.000Z",
                    "content": "<p>Read this</p>",
                    "card": {"url": "https://go.portevoix.test/s/card1"},
                }
            ],
            limits(),
        )

    @app.route("POST", "/oauth/token")
    def token(req: Req) -> Resp:
        form = req.form()
        expected = app.challenges.get(form.get("code", ""))
        verifier = form.get("code_verifier", "")
        computed = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (form.get("client_id"), form.get("client_secret")) != ("cid", "csecret"):
            return Resp(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed due to unknown client",
                },
            )
        if (
            form.get("grant_type") != "authorization_code"
            or expected is None
            or computed != expected
            or form.get("redirect_uri") != REDIRECT_URI
        ):
            return Resp(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid.",
                },
            )
        return Resp(
            200,
            {
                "access_token": "good-token",
                "token_type": "Bearer",
                "scope": "read write",
                "created_at": 1573979017,
            },
        )

    return app


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakeMastodon, str]]:
    app = mastodon_fake()
    with serve(app) as url:
        yield app, url


@pytest.fixture
def fake(fake_server: tuple[FakeMastodon, str]) -> Iterator[tuple[FakeMastodon, str]]:
    app, url = fake_server
    app.reset()
    yield app, url
    app.reset()


def fake_ctx(url: str, token: str = "good-token") -> ConnectionCtx:
    return ConnectionCtx(
        network="mastodon",
        account_id="42",
        handle="@ada@fake.example",
        tokens=TokenSet(access_token=token),
        instance=url,
    )


def test_fake_publish_request_shape(fake: tuple[FakeMastodon, str]) -> None:
    app, url = fake
    post, _ = make_post()
    result = connector.publish(fake_ctx(url), post)
    assert result.remote_id == "110000000000000001"
    [call] = [c for c in app.calls if c.path == "/api/v1/statuses"]
    assert call.headers["idempotency-key"] == post.key
    assert call.headers["authorization"] == "Bearer good-token"
    assert call.form() == {"status": post.text, "visibility": "public"}


def test_fake_429_gives_retry_at_from_iso_reset(fake: tuple[FakeMastodon, str]) -> None:
    app, url = fake
    app.mode = "rate_limited"
    before = dt.datetime.now(dt.UTC)
    with pytest.raises(RateLimited) as limited:
        connector.publish(fake_ctx(url), make_post()[0])
    retry_at = limited.value.retry_at
    assert retry_at is not None
    assert before + dt.timedelta(minutes=4) < retry_at <= before + dt.timedelta(minutes=6)


def test_fake_401_is_auth_error(fake: tuple[FakeMastodon, str]) -> None:
    _, url = fake
    with pytest.raises(AuthError) as refused:
        connector.publish(fake_ctx(url, token="revoked"), make_post()[0])
    assert "The access token is invalid" in refused.value.detail
    with pytest.raises(AuthError):
        connector.find_published(fake_ctx(url, token="revoked"), make_post()[0])


def test_fake_422_is_permanent_with_the_error_text(fake: tuple[FakeMastodon, str]) -> None:
    _, url = fake
    with pytest.raises(PermanentError) as refused:
        connector.publish(fake_ctx(url), make_post(text="y" * 600)[0])
    assert not isinstance(refused.value, AuthError)
    assert "Text character limit of 500 exceeded" in refused.value.user_message


def test_fake_5xx_is_transient(fake: tuple[FakeMastodon, str]) -> None:
    app, url = fake
    app.mode = "server_error"
    with pytest.raises(TransientError) as failed:
        connector.publish(fake_ctx(url), make_post()[0])
    assert failed.value.status == 500 and not isinstance(failed.value, RateLimited)


def test_fake_find_published_matches_the_card_url(fake: tuple[FakeMastodon, str]) -> None:
    _, url = fake
    found = connector.find_published(
        fake_ctx(url), make_post(link="https://go.portevoix.test/s/card1")[0]
    )
    assert found is not None and found.remote_id == "110000000000000007"


def test_fake_exchange_code_sends_the_pkce_verifier(fake: tuple[FakeMastodon, str]) -> None:
    app, url = fake
    verifier, challenge = pkce_pair()
    app.challenges["code-1"] = challenge
    creds = ClientCredentials("cid", "csecret", REDIRECT_URI)
    tokens = connector.exchange_code(creds, code="code-1", code_verifier=verifier, instance=url)
    assert tokens.access_token == "good-token" and tokens.expires_at is None
    with pytest.raises(AuthError):
        connector.exchange_code(creds, code="code-1", code_verifier="wrong", instance=url)
    with pytest.raises(AuthError):
        connector.exchange_code(
            ClientCredentials("cid", "bad", REDIRECT_URI),
            code="code-1",
            code_verifier=verifier,
            instance=url,
        )


def test_not_a_mastodon_server(fake: tuple[FakeMastodon, str]) -> None:
    _, url = fake  # no verify_credentials, no /api/v1/apps: 404
    with pytest.raises(PermanentError) as refused:
        connector.accounts(TokenSet(access_token="good-token"), instance=url)
    assert refused.value.status == 404
    assert not isinstance(refused.value, AuthError)
    with pytest.raises(PermanentError):
        connector.register_app(url, REDIRECT_URI)


def test_unreachable_instance_is_transient() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(TransientError):
        connector.fetch_followers(fake_ctx(f"http://127.0.0.1:{port}"))
