"""The Mastodon connector against small FakeApps for what the Mastodon mock cannot show
(tests/peers/fake_mastodon.py): Mastodon's exact 401/422/429 answers (documented at
https://docs.joinmastodon.org/methods/statuses/ and https://docs.joinmastodon.org/api/rate-limits/:
`X-RateLimit-Reset` is ISO 8601, no `Retry-After`) and the PKCE check of `POST /oauth/token`
(RFC 7636, Mastodon 4.3+).
"""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from portevoix.networks.base import (
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    PermanentError,
    RateLimited,
    TokenSet,
    TransientError,
)
from portevoix.networks.mastodon import MastodonConnector
from tests.peers.fake_mastodon import REDIRECT_URI, FakeMastodon, fake_mastodon_fixtures
from tests.publishing._mastodon_helpers import make_post, pkce_pair

pytestmark = pytest.mark.peers

connector = MastodonConnector()
fake_server, fake = fake_mastodon_fixtures()


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
