"""Helpers of the notification tests: a VAPID key, browser-like subscriptions (a P-256 key
pair and an auth secret, as a browser makes them), and a recorder in place of the push
service for the unit tests (the local push service on 127.0.0.1 is in test_push_service)."""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from portevoix.notifications import push, services


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def raw_public(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


@dataclass
class Browser:
    """What a browser keeps for one push subscription: its key pair and auth secret."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> dict[str, Any]:
        """As PushSubscription.toJSON() gives it."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": raw_public(self.key), "auth": b64url(self.auth)},
        }

    def subscribe(self, membership: Any) -> Any:
        keys = self.to_json()["keys"]
        return services.subscription_save(
            membership=membership,
            endpoint=self.endpoint,
            p256dh=keys["p256dh"],
            auth=keys["auth"],
            user_agent="Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0",
        )


@pytest.fixture
def vapid_key(settings: Any) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = raw_private(key)
    settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_SUBJECT = "mailto:ops@acme.test"
    return key


@dataclass
class Recorder:
    """Stands for the push service in unit tests: records what would be sent."""

    status: int = 201
    sent: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, target: push.Target, payload: dict[str, str], *, topic: str = "") -> int:
        self.sent.append((target.endpoint, payload))
        return self.status


@pytest.fixture
def pushes(vapid_key: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    monkeypatch.setattr(push, "send", recorder)
    yield recorder


@pytest.fixture
def daytime(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """A fixed moment outside the default quiet hours in Paris (a Tuesday, 10:00)."""
    from portevoix.core import clock

    moment = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


@pytest.fixture(autouse=True)
def _commit_now(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test case's transaction never commits: what waits for a commit (the other apps'
    signals, the queued pushes) runs when the service's own outermost atomic block ends,
    as it would on a real commit (or at once outside any block of the service)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from django.db import connection, transaction

    base = len(connection.atomic_blocks)
    pending: list[Any] = []
    original_exit = transaction.Atomic.__exit__

    def on_commit(func: Any, using: Any = None, robust: bool = False) -> None:
        if len(connection.atomic_blocks) <= base:
            func()
        else:
            pending.append(func)

    def exit_(self: Any, exc_type: Any, exc: Any, tb: Any) -> Any:
        result = original_exit(self, exc_type, exc, tb)
        if len(connection.atomic_blocks) <= base and pending:
            todo = list(pending)
            pending.clear()
            if exc_type is None:
                for func in todo:
                    func()
        return result

    monkeypatch.setattr(transaction, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_)
