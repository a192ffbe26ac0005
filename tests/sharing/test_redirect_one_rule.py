"""The redirect keeps one URL-safety rule and one visitor hash with the rest of sharing:
the fallback of an unavailable link is judged by the same function as the selectors and
the tracking settings, the journal's visitor is `visitor.visitor_hash`, and the per-process
link cache drops its least recently used links one by one instead of emptying."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from portevoix.content import services as content_services
from portevoix.sharing import selectors, utm
from portevoix.sharing.models import TrackedLink, TrackingSettings
from portevoix.sharing.redirect.app import LinkCache, Redirector, _Entry
from portevoix.sharing.redirect.journal import JournalReader, JournalWriter, parse_line
from portevoix.sharing.services import link_get_or_create
from portevoix.sharing.services.tracking import TrackingData, _tracking_errors
from portevoix.sharing.visitor import local_day, visitor_hash
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"

URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/relative/path",
    "//evil.example/",
    "relative.example.org",
    "ftp://example.org/file",
    "http://example.org/",
    "https://example.org/a?b=1#c",
    "HTTPS://Example.org/Path",
    "https://bücher.example/straße?q=é",
    "https://xn--bcher-kva.example/",
    "http://user:pw@example.org:8080/",
    "https://[2001:db8::1]/",
    "http:///no-host",
    "https://example.org/\ttab",
    "https://exa mple.org/",
    "https://example.org:99999/",
]


@pytest.fixture
def journal_dir(tmp_path: Path, settings: Any) -> Path:
    settings.CLICK_JOURNAL_DIR = tmp_path / "clicks"
    return settings.CLICK_JOURNAL_DIR


@pytest.fixture
def redirector(journal_dir: Path) -> Redirector:
    return Redirector(
        journal=JournalWriter(journal_dir, segment_seconds=3600, segment_bytes=1 << 20),
        cache=LinkCache(60, 30),
        cookie_secure=False,
    )


@pytest.fixture
def link(manager, approver, ambassador) -> TrackedLink:
    item = make_live_item(manager, approver, link="https://example.org/offre")
    return link_get_or_create(membership=ambassador, item=item, network="x")


def call(app: Redirector, path: str, ip: str = "198.51.100.7") -> tuple[str, dict[str, str]]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "REMOTE_ADDR": ip,
        "HTTP_USER_AGENT": BROWSER,
        "wsgi.input": io.BytesIO(),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    b"".join(app(environ, start_response))
    return seen["status"], seen["headers"]


def _settings_with(fallback: str) -> TrackingData:
    return TrackingData(
        utm_enabled=True,
        utm_source="",
        utm_medium="",
        utm_campaign="",
        utm_content="",
        fallback_url=fallback,
        attribution_days=30,
    )


@pytest.mark.parametrize("url", URLS)
def test_the_redirect_and_the_selectors_give_the_same_verdict(redirector, link, manager, url):
    content_services.item_archive(membership=manager, item=link.item)
    # Stored as is (an old row, or written before the rule): the redirect must judge it.
    TrackingSettings.objects.update_or_create(
        organization=link.organization, defaults={"fallback_url": url}
    )
    expected = utm.safe_destination(url)
    assert selectors.fallback_for_code(link.code) == expected
    status, headers = call(redirector, f"/l/{link.code}")
    if expected is None:
        assert status == "404 Not Found"
        assert "Location" not in headers
    else:
        assert status == "302 Found"
        assert headers["Location"] == expected
        assert headers["Location"].isascii()
    # The settings page refuses exactly what the redirect would not follow.
    refused = "fallback_url" in _tracking_errors(_settings_with(url))
    assert refused == (url.strip() != "" and (len(url) > 200 or expected is None))


def test_the_redirect_journals_the_visitor_hash_of_visitor_module(redirector, link, journal_dir):
    before = dt.datetime.now(dt.UTC)
    status, _headers = call(redirector, f"/l/{link.code}", ip="203.0.113.9")
    assert status == "302 Found"
    reader = JournalReader(journal_dir)
    [segment] = reader.segments()
    [(offset, raw)] = list(reader.read(segment, max_lines=10))
    line = parse_line(segment.name, offset, raw)
    assert line is not None
    assert line.visitor == visitor_hash("203.0.113.9", BROWSER, local_day(before))
    assert "203.0.113.9" not in raw.decode()


class CountingCache(LinkCache):
    def __init__(self, max_entries: int) -> None:
        super().__init__(60, 30, max_entries=max_entries)
        self.loads: list[str] = []

    def _load(self, code: str, now: float) -> _Entry:
        self.loads.append(code)
        return _Entry(now + self.ttl, f"https://example.org/{code}", "?", "", "")


def test_the_cache_keeps_recent_links_when_over_its_bound():
    cache = CountingCache(max_entries=3)
    for code in ("aaaa", "bbbb", "cccc"):
        cache.get(code)
    cache.get("aaaa")  # used again: now the most recent
    cache.get("dddd")  # over the bound: the least recently used ("bbbb") goes, only it
    assert len(cache) == 3
    assert "aaaa" in cache and "cccc" in cache and "dddd" in cache
    assert "bbbb" not in cache
    cache.get("aaaa")
    cache.get("cccc")
    assert cache.loads == ["aaaa", "bbbb", "cccc", "dddd"]  # hits did not reload


def test_the_cache_never_empties_at_once():
    cache = CountingCache(max_entries=100)
    for n in range(1000):
        cache.get(f"code{n:04d}")
        assert len(cache) == min(n + 1, 100)
    assert all(f"code{n:04d}" in cache for n in range(900, 1000))
    assert "code0899" not in cache
