"""Web push end to end against a local push service on 127.0.0.1.

The service (a small threaded HTTP server) receives each push as a push service does: it
checks the VAPID Authorization header (an ES256 JWT signed by the key whose public half is
in `k`, for the endpoint's origin, not expired) and keeps the body. The test then plays the
browser: with the subscription's private key and auth secret it decrypts the aes128gcm body
(RFC 8291, http_ece) and reads the JSON payload. Subscription (through the page's JSON
endpoint), delivery, decryption; quiet hours; the daily cap; the switch-off; withdrawal.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.test import Client

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.notifications import services
from portevoix.notifications.messages import Message
from portevoix.notifications.models import Kind, Notification, PushState, PushSubscription
from tests.factories import PASSWORD
from tests.notifications.conftest import Browser, raw_public

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalPushService:
    """Accepts pushes (201) on /push/..., answers 410 on /gone/...; refuses (401) a push
    whose VAPID header does not verify."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def verify_vapid(self, authorization: str) -> dict[str, Any]:
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", authorization
        parts = dict(part.strip().split("=", 1) for part in params.split(","))
        token, public = parts["t"], parts["k"]
        signing_input, _, signature = token.rpartition(".")
        raw = unb64(signature)
        assert len(raw) == 64
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public))
        key.verify(
            utils.encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
            signing_input.encode("ascii"),
            ec.ECDSA(hashes.SHA256()),
        )
        header = json.loads(unb64(signing_input.split(".")[0]))
        claims = json.loads(unb64(signing_input.split(".")[1]))
        assert header == {"typ": "JWT", "alg": "ES256"}
        assert claims["aud"] == self.url
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600
        return {"k": public, **claims}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.startswith("/gone/"):
                    self.send_response(410)
                else:
                    try:
                        claims = service.verify_vapid(self.headers.get("Authorization", ""))
                    except Exception as exc:
                        service.refused.append(repr(exc))
                        self.send_response(401)
                    else:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        headers["vapid-k"], headers["vapid-sub"] = claims["k"], claims["sub"]
                        service.received.append(Received(self.path, headers, body))
                        self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def push_service() -> Iterator[LocalPushService]:
    service = LocalPushService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), service.handler())
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def decrypt(browser: Browser, received: Received) -> dict[str, str]:
    plain = http_ece.decrypt(
        received.body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
    )
    return json.loads(plain)


def subscribe_through_the_page(membership: Any, browser: Browser) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=membership.user.email, password=PASSWORD)
    client.get("/notifications/settings/")  # sets the CSRF cookie, as the page does
    response = client.post(
        "/notifications/push/subscribe/",
        data=json.dumps(browser.to_json()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content


def notify(member: Any, key: str, kind: str = Kind.CONTENT_LIVE) -> list[int]:
    return services.notify(
        organization_id=member.organization_id,
        membership_ids=[member.pk],
        kind=kind,
        dedupe_key=key,
        build=lambda tz: Message(title=f"Titre {key}", body="Un contenu à partager", url="/feed/"),
    )


def test_subscription_delivery_and_decryption(ambassador, vapid_key, push_service, daytime):
    browser = Browser(f"{push_service.url}/push/device-1")
    subscribe_through_the_page(ambassador, browser)
    [pk] = notify(ambassador, "item:1:live")
    assert push_service.refused == []
    [received] = push_service.received
    assert received.path == "/push/device-1"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) > 0
    assert received.headers["topic"] == f"portevoix-{pk}"
    assert received.headers["vapid-k"] == raw_public(vapid_key)
    assert received.headers["vapid-sub"] == "mailto:ops@acme.test"
    assert decrypt(browser, received) == {
        "title": "Titre item:1:live",
        "body": "Un contenu à partager",
        "url": "/feed/",
        "tag": f"portevoix-{pk}",
    }
    # Only the browser can read it: another key pair cannot.
    with pytest.raises(Exception):  # noqa: B017 - http_ece raises cryptography's InvalidTag
        decrypt(Browser(browser.endpoint, auth=browser.auth), received)
    assert Notification.objects.get(pk=pk).push_state == PushState.SENT


def test_quiet_hours_hold_the_push_until_morning(ambassador, vapid_key, push_service, monkeypatch):
    browser = Browser(f"{push_service.url}/push/night")
    subscribe_through_the_page(ambassador, browser)
    night = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)  # 00:30 in Paris: quiet
    monkeypatch.setattr(clock, "now", lambda: night)
    notify(ambassador, "post:1:failed", Kind.POST_OUTCOME)
    assert push_service.received == []
    morning = dt.datetime(2026, 3, 11, 7, 5, tzinfo=dt.UTC)  # 08:05 in Paris
    monkeypatch.setattr(clock, "now", lambda: morning)
    assert services.push_release_held() == 1
    [received] = push_service.received
    assert decrypt(browser, received)["title"] == "Titre post:1:failed"


def test_the_daily_cap(ambassador, vapid_key, push_service, daytime):
    browser = Browser(f"{push_service.url}/push/capped")
    subscribe_through_the_page(ambassador, browser)
    for n in range(4):
        notify(ambassador, f"event:{n}")
    assert [decrypt(browser, r)["title"] for r in push_service.received] == [
        "Titre event:0",
        "Titre event:1",
    ]
    assert Notification.objects.filter(push_state=PushState.CAPPED).count() == 2


def test_the_switch_off(ambassador, vapid_key, push_service, daytime):
    subscribe_through_the_page(ambassador, Browser(f"{push_service.url}/push/off"))
    services.preferences_update(
        membership=ambassador,
        data=services.PreferencesData(kinds_on=[Kind.EVENT]),
    )
    assert notify(ambassador, "item:9:live", Kind.CONTENT_LIVE) == []
    services.preferences_update(
        membership=ambassador, data=services.PreferencesData(push_enabled=False)
    )
    assert len(notify(ambassador, "item:10:live", Kind.CONTENT_LIVE)) == 1  # in the app only
    assert push_service.received == []


def test_nothing_after_withdrawal(ambassador, vapid_key, push_service, daytime):
    subscribe_through_the_page(ambassador, Browser(f"{push_service.url}/push/gone-member"))
    notify(ambassador, "before")
    assert len(push_service.received) == 1
    account_services.ambassador_opt_out(membership=ambassador)
    assert not PushSubscription.objects.filter(membership_id=ambassador.pk).exists()
    assert notify(ambassador, "after") == []
    assert len(push_service.received) == 1


def test_an_expired_subscription_is_deleted(ambassador, vapid_key, push_service, daytime):
    Browser(f"{push_service.url}/gone/expired").subscribe(ambassador)
    live = Browser(f"{push_service.url}/push/live")
    live.subscribe(ambassador)
    notify(ambassador, "item:1:live")
    assert PushSubscription.objects.count() == 1
    [received] = push_service.received
    assert received.path == "/push/live"
