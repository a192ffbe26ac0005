"""GET /l/<code>: the WSGI redirect in front of Django, its journal and the ingester."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.content import services as content_services
from portevoix.sharing.models import Click, TrackedLink, TrackingSettings
from portevoix.sharing.redirect import ingest
from portevoix.sharing.redirect.app import LinkCache, Redirector
from portevoix.sharing.redirect.classify import is_bot, referrer_network
from portevoix.sharing.redirect.journal import JournalReader, JournalWriter
from portevoix.sharing.services import link_get_or_create
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
IP = "203.0.113.77"


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


def call(app: Redirector, path: str, *, method: str = "GET", ua: str = BROWSER,
         referer: str = "", ip: str = IP) -> tuple[str, dict[str, str], bytes]:  # fmt: skip
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "REMOTE_ADDR": ip,
        "HTTP_USER_AGENT": ua,
        "HTTP_REFERER": referer,
        "wsgi.input": io.BytesIO(),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = status
        seen["headers"] = dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def link(manager, approver, ambassador) -> TrackedLink:
    item = make_live_item(manager, approver, link="https://example.org/offre?ref=home#postuler")
    return link_get_or_create(membership=ambassador, item=item, network="linkedin")


def test_redirect_keeps_query_and_fragment_and_adds_utm_and_click_id(redirector, link):
    status, headers, _ = call(redirector, f"/l/{link.code}")
    assert status == "302 Found"
    location = urlsplit(headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "example.org", "/offre")
    assert location.fragment == "postuler"
    query = parse_qs(location.query)
    assert query["ref"] == ["home"]
    assert query["utm_source"] == ["linkedin"]
    assert query["utm_medium"] == ["employee_advocacy"]
    assert len(query["utm_content"][0]) >= 8  # pseudonymous, not the member id
    assert str(link.membership_id) != query["utm_content"][0]
    click_id = query["pv_click"][0]
    assert headers["Set-Cookie"].startswith(f"pv_click={click_id};")
    assert "HttpOnly" in headers["Set-Cookie"]


def test_utm_can_be_turned_off(redirector, link):
    TrackingSettings.objects.update_or_create(
        organization=link.organization, defaults={"utm_enabled": False}
    )
    _, headers, _ = call(redirector, f"/l/{link.code}")
    assert "utm_" not in headers["Location"]


@pytest.mark.parametrize(
    "path", ["/l/nope0000", "/l/", "/l/../../etc", "/l/%0d%0aLocation:x", "/l/a"]
)
def test_unknown_or_malformed_code_gets_the_friendly_404(redirector, path):
    status, headers, body = call(redirector, path)
    assert status == "404 Not Found"
    assert "Location" not in headers
    assert b"plus disponible" in body and b"no longer available" in body


def test_archived_item_is_404_or_the_organizations_fallback(redirector, link, manager):
    content_services.item_archive(membership=manager, item=link.item)
    status, _, _ = call(redirector, f"/l/{link.code}")
    assert status == "404 Not Found"
    TrackingSettings.objects.update_or_create(
        organization=link.organization, defaults={"fallback_url": "https://example.org/"}
    )
    redirector.cache.clear()
    status, headers, _ = call(redirector, f"/l/{link.code}")
    assert status == "302 Found" and headers["Location"] == "https://example.org/"


def test_expired_item_stops_redirecting(redirector, link):
    type(link.item).objects.filter(pk=link.item_id).update(
        expire_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert call(redirector, f"/l/{link.code}")[0] == "404 Not Found"


def test_post_is_refused(redirector, link):
    assert call(redirector, f"/l/{link.code}", method="POST")[0] == "405 Method Not Allowed"


def test_clicks_reach_the_database_through_the_ingester_once(redirector, link, journal_dir):
    call(redirector, f"/l/{link.code}", referer="https://www.linkedin.com/feed/")
    call(redirector, f"/l/{link.code}")  # same visitor, same day: one counted click
    call(redirector, f"/l/{link.code}", ip="198.51.100.1")
    call(redirector, f"/l/{link.code}", method="HEAD")  # redirected, not journaled
    call(redirector, f"/l/{link.code}", ua="LinkedInBot/1.0 (compatible; Mozilla/5.0)")
    call(redirector, f"/l/{link.code}", ua="Slackbot-LinkExpanding 1.0")
    redirector.journal.close()

    report = ingest.run(follow=False)
    assert report.lines == 5  # 3 people + 2 previews; HEAD was not journaled
    clicks = Click.objects.filter(link=link)
    assert clicks.count() == 3
    assert clicks.filter(counted=True).count() == 2
    assert set(clicks.values_list("referrer_network", flat=True)) == {"linkedin", ""}
    # Replaying the same journal inserts nothing (the segment is gone, and keys are unique).
    assert ingest.run(follow=False).inserted == 0
    assert Click.objects.filter(link=link).count() == 3
    assert list(journal_dir.glob("*.clicks")) == []


def test_no_raw_ip_reaches_the_journal_or_the_database(redirector, link, journal_dir):
    call(redirector, f"/l/{link.code}")
    journal_text = "".join(p.read_text() for p in journal_dir.glob("*.clicks"))
    assert IP not in journal_text
    redirector.journal.close()
    ingest.run(follow=False)
    for row in Click.objects.values():
        assert all(IP not in str(value) for value in row.values())


def test_visitor_hash_is_the_daily_salted_hash_and_changes_with_the_day(
    redirector, link, journal_dir, monkeypatch
):
    from portevoix.sharing.redirect import app as app_module
    from portevoix.sharing.visitor import local_day, visitor_hash

    now = dt.datetime.now(dt.UTC)
    call(redirector, f"/l/{link.code}")
    tomorrow = now + dt.timedelta(days=1)
    monkeypatch.setattr(app_module.time, "time", lambda: tomorrow.timestamp())
    call(redirector, f"/l/{link.code}")
    lines = [
        line.split("\t")
        for p in journal_dir.glob("*.clicks")
        for line in p.read_text().splitlines()
    ]
    assert len(lines) == 2
    assert lines[0][2] == visitor_hash(IP, BROWSER, local_day(now))
    assert lines[1][2] == visitor_hash(IP, BROWSER, local_day(tomorrow))
    assert lines[0][2] != lines[1][2]


def test_journal_reader_skips_partial_lines_and_keeps_held_segments(tmp_path):
    writer = JournalWriter(tmp_path, segment_seconds=3600, segment_bytes=1 << 20)
    writer.write("a\n")
    segment = next(tmp_path.glob("*.clicks"))
    with open(segment, "ab") as handle:
        handle.write(b"partial")
    reader = JournalReader(tmp_path)
    assert [raw for _, raw in reader.read(segment, max_lines=10)] == [b"a"]
    reader.advance(segment, 2)
    assert not reader.finish_if_done(segment)  # the writer still holds it
    writer.close()
    assert reader.finish_if_done(segment)  # closed; only a dead partial line remains
    assert not segment.exists()


def test_segments_rotate(tmp_path):
    writer = JournalWriter(tmp_path, segment_seconds=3600, segment_bytes=10)
    for _ in range(3):
        writer.write("0123456789\n")
    writer.close()
    assert len(list(tmp_path.glob("*.clicks"))) == 3


@pytest.mark.parametrize(
    ("ua", "bot"),
    [
        (BROWSER, False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15", False),
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            True,
        ),
        ("Twitterbot/1.0", True),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) SkypeUriPreview Preview/0.5", True),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", True),
        ("WhatsApp/2.23.20.0 A", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("", True),
    ],
)
def test_bot_and_preview_detection(ua, bot):
    assert is_bot(ua) is bot


@pytest.mark.parametrize(
    ("host", "network"),
    [
        ("www.linkedin.com", "linkedin"),
        ("lnkd.in", "linkedin"),
        ("t.co", "x"),
        ("l.facebook.com", "facebook"),
        ("www.threads.net", "threads"),
        ("bsky.app", "bluesky"),
        ("mastodon.example", "mastodon"),
        ("news.example.org", ""),
        ("", ""),
    ],
)
def test_referrer_network(host, network):
    assert referrer_network(host) == network
