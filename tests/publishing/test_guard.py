"""No server-side request to the inside of the network: member-given hosts are checked when
entered (`guard_url`) and every connection of a connector is checked again at connect time,
on the address actually used (DNS rebinding)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from portevoix.networks import base
from tests.peers.server import FakeApp, Resp, serve

pytestmark = pytest.mark.peers

PUBLIC = "93.184.216.34"


@pytest.fixture
def peer() -> Iterator[str]:
    app = FakeApp("guard")
    app.route("GET", "/ping")(lambda req: Resp(200, {"ok": True}))
    with serve(app) as url:
        yield url


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_loopback_is_refused_unless_allowed(settings, peer):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    with base.http_client() as client, pytest.raises(base.UnsafeAddress):
        client.get(f"{peer}/ping")
    port = peer.rsplit(":", 1)[1]
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{int(port) + 1}"]
    with base.http_client() as client, pytest.raises(base.UnsafeAddress):
        client.get(f"{peer}/ping")  # another port of the same host is not allowed
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{port}"]
    with base.http_client() as client:
        assert client.get(f"{peer}/ping").json() == {"ok": True}


def test_a_name_that_rebinds_to_loopback_is_refused_at_connect_time(settings, peer, monkeypatch):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    port = peer.rsplit(":", 1)[1]
    fake_dns(monkeypatch, {"rebind.example": [PUBLIC]})
    assert base.guard_url("https://rebind.example") == "https://rebind.example"
    fake_dns(monkeypatch, {"rebind.example": ["127.0.0.1"]})
    with base.http_client() as client, pytest.raises(base.UnsafeAddress):
        client.get(f"http://rebind.example:{port}/ping")


@pytest.mark.parametrize(
    ("url", "answers"),
    [
        ("https://intranet.example", ["10.1.2.3"]),
        ("https://meta.example", ["169.254.169.254"]),
        ("https://mixed.example", [PUBLIC, "192.168.1.10"]),
        ("https://v6.example", ["::1"]),
        ("http://public.example", [PUBLIC]),  # public, but not https
        ("https://user:pw@public.example", [PUBLIC]),
        ("ftp://public.example", [PUBLIC]),
    ],
)
def test_guard_url_refuses(settings, monkeypatch, url, answers):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    fake_dns(monkeypatch, {urlhost(url): answers})
    with pytest.raises(base.UnsafeAddress):
        base.guard_url(url)


def urlhost(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def test_guard_url_accepts_a_public_https_server(settings, monkeypatch):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    fake_dns(monkeypatch, {"mastodon.example": [PUBLIC]})
    assert base.guard_url("https://Mastodon.example/@someone") == "https://mastodon.example"
