"""The sharer's own clicks (docs/decisions/0005-self-clicks.md): a signed-in member's browser
carries their mark; the redirect journals "own click" and the ingester never counts it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from portevoix.sharing.models import Click, TrackedLink
from portevoix.sharing.redirect import ingest
from portevoix.sharing.redirect.app import LinkCache, Redirector
from portevoix.sharing.redirect.journal import JournalWriter, parse_line
from portevoix.sharing.services import link_get_or_create
from portevoix.sharing.visitor import MEMBER_COOKIE, mark_in_cookies, member_mark
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"


@pytest.fixture
def redirector(tmp_path: Path, settings: Any) -> Redirector:
    settings.CLICK_JOURNAL_DIR = tmp_path / "clicks"
    return Redirector(
        journal=JournalWriter(
            settings.CLICK_JOURNAL_DIR, segment_seconds=3600, segment_bytes=1 << 20
        ),
        cache=LinkCache(60, 30),
        cookie_secure=False,
    )


@pytest.fixture
def link(manager, approver, ambassador) -> TrackedLink:
    item = make_live_item(manager, approver, link="https://example.org/offre")
    return link_get_or_create(membership=ambassador, item=item, network="linkedin")


def visit(app: Redirector, code: str, *, ip: str, cookie: str = "") -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/l/{code}",
        "REMOTE_ADDR": ip,
        "HTTP_USER_AGENT": BROWSER,
        "wsgi.input": io.BytesIO(),
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    seen: dict[str, str] = {}
    app(environ, lambda status, headers: seen.update(status=status))
    return seen["status"]


def test_the_sharers_own_click_is_redirected_but_never_counted(
    redirector, link, ambassador, member
):
    mine = f"{MEMBER_COOKIE}={member_mark(ambassador.user_id)}"
    colleague = f"csrftoken=x; {MEMBER_COOKIE}={member_mark(member.user_id)}"
    assert visit(redirector, link.code, ip="203.0.113.1", cookie=f"a=b; {mine}") == "302 Found"
    assert visit(redirector, link.code, ip="203.0.113.2", cookie=colleague) == "302 Found"
    assert visit(redirector, link.code, ip="203.0.113.3", cookie="xpv_m=" + "0" * 24) == "302 Found"
    redirector.journal.close()
    segment = next(Path(redirector.journal.directory).glob("*.clicks"))
    text = segment.read_text()
    assert member_mark(ambassador.user_id) not in text  # only a yes/no is journaled
    assert [line.rsplit("\t", 1)[1] for line in text.splitlines()] == ["1", "0", "0"]
    ingest.run(follow=False)
    assert list(Click.objects.order_by("at", "id").values_list("counted", flat=True)) == [
        False,
        True,
        True,
    ]


def test_older_journal_lines_without_the_flag_still_parse():
    line = parse_line("seg", 0, b"1700000000000\tabcd1234\t" + b"a" * 32 + b"\tid1\t0\t\tFR\tUA")
    assert line is not None and line.own is False
    line = parse_line("seg", 0, b"1700000000000\tabcd1234\t" + b"a" * 32 + b"\tid1\t0\t\tFR\tUA\t1")
    assert line is not None and line.own is True


def test_mark_in_cookies_reads_only_its_own_cookie():
    assert mark_in_cookies("pv_m=abc") == "abc"
    assert mark_in_cookies("a=1; pv_m=abc; b=2").startswith("abc")
    assert mark_in_cookies("xpv_m=abc") == ""
    assert mark_in_cookies("") == ""


def test_a_signed_in_member_gets_their_mark_and_a_visitor_none(client, ambassador):
    assert MEMBER_COOKIE not in client.get(reverse("accounts:login")).cookies
    client.force_login(ambassador.user)
    response = client.get("/")
    cookie = response.cookies[MEMBER_COOKIE]
    assert cookie.value == member_mark(ambassador.user_id)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert len(cookie.value) == 24 and cookie.value != member_mark(ambassador.user_id + 1)
    # Already marked: not set again.
    assert MEMBER_COOKIE not in client.get("/").cookies
