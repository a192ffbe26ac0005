"""The team's pages keep their body (docs/decisions/0036-page-body-cache.md): a second view
is served from it, any write the page shows is there on the next view, the CSRF token is
always the viewer's own, and nothing is shared across roles, members or organizations where
the page differs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.content.models import Topic
from portevoix.core import page_cache
from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.templatetags.shell_tags import CSRF_PLACEHOLDER
from tests import factories
from tests.kept_pages import TOKEN, logged_in, stop_clock

LIBRARY = "/library/"


@pytest.fixture
def frozen(monkeypatch):
    """The clock stopped (a kept body lives for its time slot): `frozen["at"]` moves it."""
    return stop_clock(monkeypatch)


def view(client: Client, url: str, **data: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert CSRF_PLACEHOLDER not in html
    return html, len(queries)


def test_a_second_view_is_served_from_the_kept_body(manager, frozen):
    factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager)
    first, built = view(client, LIBRARY)
    second, kept = view(client, LIBRARY)
    assert "Premier sujet" in second
    assert kept <= built - 6  # no filter choices, authors, counts, rows, topics, figures
    assert TOKEN.sub("", first) == TOKEN.sub("", second)


def test_what_a_write_changes_shows_on_the_next_view(manager, frozen):
    item = factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager)
    view(client, LIBRARY)
    factories.make_item(manager, title="Second sujet")
    html, _ = view(client, LIBRARY)
    assert "Second sujet" in html
    topic = Topic.objects.create(organization=manager.organization, name="Énergie", slug="e")
    content_services.item_archive(membership=manager, item=item)
    html, _ = view(client, LIBRARY)
    assert "Énergie" in html  # a new topic among the filter's choices
    assert re.search(r'state=archived[^>]*>[^<]*<span class="tab-count">1<', html)
    topic.name = "Climat"
    topic.save()
    assert "Climat" in view(client, LIBRARY)[0]


def test_the_csrf_token_is_the_viewers_own(manager, org, frozen):
    other = factories.make_member(org, Role.CONTENT_MANAGER, email="other@acme.test")
    item = factories.make_item(manager, title="Premier sujet")
    view(logged_in(manager), LIBRARY)  # kept
    client = Client(enforce_csrf_checks=True)
    client.force_login(other.user)
    html, _ = view(client, LIBRARY)
    token = TOKEN.search(html)
    assert token is not None
    refused = client.post(reverse("content:library_bulk"), {"action": "archive", "items": item.pk})
    assert refused.status_code == 403  # no token: CSRF protection is on
    answer = client.post(
        reverse("content:library_bulk"),
        {"csrfmiddlewaretoken": token.group(1), "action": "archive", "items": item.pk},
    )
    assert answer.status_code in {200, 302}


def test_roles_members_and_organizations_never_share_a_body(
    manager, approver, outsider, org, frozen
):
    factories.make_item(manager, title="Interne")
    new_item = reverse("content:item_new")
    assert new_item in view(logged_in(manager), LIBRARY)[0]
    # The approver reads the library too, with other roles: no "New item" for them.
    assert new_item not in view(logged_in(approver), LIBRARY)[0]
    # Another organization's admin, same roles or more: never this organization's items.
    assert "Interne" not in logged_in(outsider).get(LIBRARY).content.decode()


def test_the_language_is_part_of_the_key(manager, frozen):
    client = logged_in(manager)
    english, _ = view(client, LIBRARY, lang="x")
    client.cookies["django_language"] = "fr"
    french, _ = view(client, LIBRARY, lang="x")
    assert "Content library" in english
    assert "Bibliothèque de contenus" in french


def test_a_body_is_rebuilt_in_the_next_time_slot_and_not_kept_when_off(manager, frozen, settings):
    factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager)
    _, built = view(client, LIBRARY)
    _, kept = view(client, LIBRARY)
    assert kept < built
    frozen["at"] += dt.timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    _, rebuilt = view(client, LIBRARY)
    assert rebuilt > kept
    settings.PAGE_CACHE_SECONDS = 0
    view(client, LIBRARY)
    assert view(client, LIBRARY)[1] == rebuilt


def test_the_approvals_queue_is_each_approvers_and_follows_approvals(
    manager, approver, org, frozen
):
    second = factories.make_member(org, Role.APPROVER, email="second@acme.test")
    item = factories.make_item(manager, title="À signer")
    content_services.item_submit(membership=manager, item=item)
    url = reverse("content:approvals")
    mine, other = logged_in(approver), logged_in(second)
    assert "À signer" in view(mine, url)[0]
    assert "À signer" in view(other, url)[0]
    content_services.item_approve(membership=approver, item=item)
    assert "À signer" not in view(mine, url)[0]
    assert "À signer" not in view(other, url)[0]


def test_the_calendar_shows_each_member_their_own_feed_address(manager, org, frozen):
    colleague = factories.make_member(org, Role.CONTENT_MANAGER, email="other@acme.test")
    client, other = logged_in(manager), logged_in(colleague)
    url = reverse("planning:calendar")
    made = "A feed address made on"
    assert made not in view(client, url)[0]
    issued = client.post(reverse("planning:feed_create"))
    assert issued["Cache-Control"] == "no-store"
    secret = issued.context["feed_url"].rsplit("/", 1)[1]
    html, _ = view(client, url)
    assert made in html
    assert secret not in html
    # The colleague (same roles) shares the calendar's body, not the address.
    html, _ = view(other, url)
    assert made not in html
    assert "Make a feed address" in html
    client.post(reverse("planning:feed_revoke"))
    assert made not in view(client, url)[0]


def test_the_dashboard_is_shared_by_roles_and_follows_the_kpi_settings(manager, org, frozen):
    analyst = factories.make_member(org, Role.ANALYST, email="analyst@acme.test")
    colleague = factories.make_member(org, Role.ANALYST, email="analyst2@acme.test")
    admin = factories.make_member(org, Role.ADMIN, email="boss@acme.test")
    url = reverse("analytics:dashboard")
    client = logged_in(analyst)
    _, built = view(client, url)
    _, kept = view(logged_in(colleague), url)
    assert kept < built
    settings_form = {"currency": "USD", "cpc": "2.50", "per_engagement": "0.10", "mix_target": 70}
    settings_form.update({f"cpm_{code}": "9" for code, _label in NETWORK_CHOICES})
    answer = logged_in(admin).post(reverse("analytics:kpi_settings"), settings_form)
    assert answer.status_code == 302
    assert view(client, url)[1] > kept  # the settings moved the organization's version


def test_a_body_one_slot_old_is_served_while_another_request_rebuilds_it(
    manager, frozen, settings, monkeypatch
):
    factories.make_item(manager, title="Premier sujet")
    client = logged_in(manager)
    _, built = view(client, LIBRARY)
    _, kept = view(client, LIBRARY)
    assert kept < built
    kept_in = page_cache._cache()
    monkeypatch.setattr(kept_in, "add", lambda *args, **kwargs: False)  # the lock is taken
    frozen["at"] += dt.timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    html, stale = view(client, LIBRARY)
    assert stale == kept
    assert "Premier sujet" in html
    # Two slots late: rebuilt by whoever asks, lock or not.
    frozen["at"] += dt.timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    assert view(client, LIBRARY)[1] > kept


def test_bodies_are_kept_in_a_bounded_room_of_their_own(manager, frozen, settings):
    view(logged_in(manager), LIBRARY)
    if "pages" not in settings.CACHES:  # Redis (REDIS_URL): its own memory limit
        assert page_cache._cache() is caches["default"]
        return
    room = caches["pages"]
    assert page_cache._cache() is room
    assert settings.CACHES["pages"]["OPTIONS"]["MAX_ENTRIES"] == 300
    assert any(":page:library:" in key for key in room._cache)  # type: ignore[attr-defined]
    assert not any(":page:" in key for key in caches["default"]._cache)  # type: ignore[attr-defined]
