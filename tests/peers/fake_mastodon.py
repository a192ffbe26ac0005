"""A fake Mastodon server (a FakeApp) giving Mastodon's documented answers that the Mastodon
mock cannot show on demand: 401/422/429 and 5xx on `POST /api/v1/statuses`, a reverse proxy
that loses the answer (504), and the PKCE check of `POST /oauth/token`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.peers.mastodon_peer import MastodonPeer
from tests.peers.server import FakeApp, Req, Resp, serve

# The redirect URI the tests register their Mastodon app with.
REDIRECT_URI = "http://127.0.0.1:8000/connections/mastodon/callback"


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


def fake_mastodon_fixtures() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The pytest fixtures `fake_server` (a fake Mastodon served for the module) and `fake`
    (it, reset around each test): `fake_server, fake = fake_mastodon_fixtures()` in a module."""

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

    return fake_server, fake
