"""Helpers of the Threads connector tests (tests/publishing/test_threads_*.py): the fixtures
(`threads_fixtures()`), credentials and contexts, and a recorder of the saved post state."""

from __future__ import annotations

import datetime as dt
import functools
import ssl
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from portevoix.networks import base, get
from portevoix.networks.base import ClientCredentials, ConnectionCtx, PostRequest, TokenSet
from portevoix.networks.threads import ThreadsConnector
from tests.peers.fake_threads import FakeThreads
from tests.peers.server import FakeApp, serve

USER = "7701"
LINK = "https://pv.test/l/Ab3dE"


# httpx builds a TLS context for every client (tens of milliseconds); the fake is plain http,
# so the tests hand every client one context made once. Everything else is base.http_client.
TLS = ssl.create_default_context()


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


def threads_fixtures() -> tuple[Callable[..., Any], ...]:
    """The fixtures of a Threads test module: `_one_tls_context, server, fake, connector =
    threads_fixtures()` in it. `server` serves a FakeApp for the module; `fake` is a fresh
    fake Threads (state, routes and call log) on it; `connector` the registered connector."""

    @pytest.fixture(autouse=True)
    def _one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
        """Every client gets the one TLS context (TLS above)."""
        monkeypatch.setattr(base, "http_client", functools.partial(base.http_client, verify=TLS))

    @pytest.fixture(scope="module")
    def server() -> Iterator[tuple[FakeApp, str]]:
        app = FakeApp("threads")
        with serve(app) as url:
            yield app, url

    @pytest.fixture
    def fake(
        server: tuple[FakeApp, str], settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> FakeThreads:
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

    return _one_tls_context, server, fake, connector
