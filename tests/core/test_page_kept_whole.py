"""A page kept whole, frame included, per viewer (docs/decisions/0036-page-body-cache.md,
"The whole page"): a second view renders no template; what the frame shows of the viewer
(the bell, their name, the organization's name, their roles) is there on the next view;
messages are shown once and never kept; the CSRF token is the viewer's own and accepted;
no two members share a page; a view with its own per-request context is kept whole only
when it names that context (the calendar's feed address), never with a secret shown once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts.models import MembershipRole
from portevoix.accounts.roles import Role
from portevoix.core import page_cache
from portevoix.notifications import services as notification_services
from portevoix.notifications.models import Kind
from portevoix.notifications.services import Message
from portevoix.planning import services as planning_services
from tests import factories
from tests.kept_pages import TOKEN, logged_in, stop_clock

LIBRARY = "/library/"


@pytest.fixture
def frozen(monkeypatch):
    return stop_clock(monkeypatch)


def view(client: Client, url: str = LIBRARY) -> tuple[str, bool]:
    """The page's HTML and whether it was kept whole (no template rendered)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert page_cache.CSRF_PLACEHOLDER not in html
    return html, not response.templates


def test_a_second_view_is_the_page_kept_whole_with_a_fresh_token(manager, frozen):
    factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager)
    first, whole = view(client)
    assert not whole
    second, whole = view(client)
    assert whole
    assert "Premier sujet" in second and manager.user.display_name in second
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    assert len(TOKEN.findall(second)) >= 2  # the bulk form and the sign-out form


def test_the_token_of_a_page_kept_whole_is_accepted_and_required(manager, frozen):
    item = factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager, enforce_csrf_checks=True)
    view(client)
    html, whole = view(client)
    assert whole
    bulk = reverse("content:library_bulk")
    assert client.post(bulk, {"action": "archive", "items": item.pk}).status_code == 403
    token = TOKEN.search(html)
    assert token is not None
    answer = client.post(
        bulk, {"csrfmiddlewaretoken": token.group(1), "action": "archive", "items": item.pk}
    )
    assert answer.status_code in {200, 302}
    item.refresh_from_db()
    assert item.state == "archived"


def test_what_the_frame_shows_of_the_viewer_is_on_the_next_view(manager, org, frozen):
    client = logged_in(manager)
    view(client)
    assert view(client)[1]
    notification_services.notify(
        organization_id=org.pk,
        membership_ids=[manager.pk],
        kind=Kind.CONTENT_LIVE,
        dedupe_key="k",
        build=lambda tz: Message(title="Hello", body="Body", url="/feed/"),
    )
    html, whole = view(client)
    assert not whole
    assert "Notifications: 1 unread" in html
    manager.user.full_name = "Camille Martin"
    manager.user.save()
    html, whole = view(client)
    assert not whole and "Camille Martin" in html
    org.name = "Acme Monde"
    org.save()
    html, whole = view(client)
    assert not whole and "Acme Monde" in html
    assert view(client)[1]
    MembershipRole.objects.create(membership=manager, role=Role.ADMIN)
    assert not view(client)[1]  # a role: the member's version moved


def test_messages_are_shown_once_and_never_kept(manager, frozen):
    client = logged_in(manager)
    view(client)
    view(client)
    refused = client.post(reverse("content:library_bulk"), {"action": "", "items": ""})
    assert refused.status_code == 302
    said = "Choose an action and check at least one item."
    html, whole = view(client)
    assert said in html and not whole
    html, whole = view(client)
    assert said not in html


def test_members_with_the_same_roles_never_share_a_page(manager, org, frozen):
    colleague = factories.make_member(org, Role.CONTENT_MANAGER, email="colleague@acme.test")
    mine, theirs = logged_in(manager), logged_in(colleague)
    view(mine)
    view(mine)
    html, whole = view(theirs)
    assert not whole
    assert colleague.user.display_name in html
    assert manager.user.display_name not in html


def test_a_page_kept_whole_is_not_served_in_the_next_slot(manager, frozen, settings):
    client = logged_in(manager)
    view(client)
    assert view(client)[1]
    frozen["at"] += dt.timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    assert not view(client)[1]
    assert view(client)[1]
    settings.PAGE_CACHE_SECONDS = 0
    view(client)
    assert not view(client)[1]


def test_a_view_with_its_own_context_is_kept_whole_only_when_it_names_it(manager, frozen):
    client = logged_in(manager)
    url = reverse("planning:calendar")
    view(client, url)
    assert view(client, url)[1]  # no feed address: named, kept whole
    issued = client.post(reverse("planning:feed_create"))
    secret = issued.context["feed_url"].rsplit("/", 1)[1]
    html, whole = view(client, url)
    assert not whole  # the member's own part changed: another whole page
    assert "A feed address made on" in html and secret not in html
    html, whole = view(client, url)
    assert whole and secret not in html
    client.post(reverse("planning:feed_revoke"))
    html, whole = view(client, url)
    assert not whole and "A feed address made on" not in html


def test_the_calendar_kept_whole_reads_no_feed_address_and_follows_its_changes(manager, frozen):
    """The feed address is not read for a page kept whole: a new or revoked address moves
    the member's frame version (here from elsewhere: no message waits on this page)."""
    client = logged_in(manager)
    url = reverse("planning:calendar")
    view(client, url)
    with CaptureQueriesContext(connection) as kept:
        assert view(client, url)[1]
    assert not [q for q in kept.captured_queries if "calendarfeedtoken" in q["sql"].lower()]
    planning_services.feed_token_create(membership=manager)
    html, whole = view(client, url)
    assert not whole and "A feed address made on" in html
    assert view(client, url)[1]
    assert planning_services.feed_token_revoke(membership=manager) == 1
    html, whole = view(client, url)
    assert not whole and "A feed address made on" not in html
    assert planning_services.feed_token_revoke(membership=manager) == 0  # nothing moved
    assert view(client, url)[1]


def test_a_visitor_or_a_page_without_a_viewer_function_is_never_kept_whole(
    manager, frozen, settings
):
    settings.PAGE_VIEWER_KEY = ""
    client = logged_in(manager)
    view(client)
    assert not view(client)[1]
