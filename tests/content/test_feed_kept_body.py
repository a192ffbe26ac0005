"""The feed keeps its body per member (docs/decisions/0036-page-body-cache.md): a second view
is served from it without building the page, and what the page shows moves with the next
view: a new item, an item going live at its time, the member's charter acceptance, their
interests; a member's body is never another's, and a member with a connected account gets
their page built each time (their cards show their own posts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.content import feed_cache
from portevoix.content import services as content_services
from portevoix.content.models import Topic
from portevoix.core import page_cache
from portevoix.core.templatetags.shell_tags import CSRF_PLACEHOLDER
from portevoix.publishing.models import Connection, ConnectionStatus
from tests.factories import make_live_item, make_member
from tests.governance.conftest import publish_charter
from tests.kept_pages import TOKEN, logged_in, stop_clock

pytestmark = pytest.mark.django_db

FEED = reverse("content:feed")


@pytest.fixture
def frozen(monkeypatch):
    """The clock stopped and every body in one time slot: only versions and the feed's
    own end of validity (an item going live) can make a page be built again."""
    at = stop_clock(monkeypatch)
    monkeypatch.setattr(page_cache, "_slot", lambda key, span: 1)
    return at


@pytest.fixture
def built(monkeypatch) -> list[int]:
    """How many times the feed's page of cards was built (once per view not kept)."""
    calls: list[int] = []
    real = feed_cache.feed_page

    def counting(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(feed_cache, "feed_page", counting)
    return calls


def feed(client: Client, **data: str) -> str:
    response = client.get(FEED, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert CSRF_PLACEHOLDER not in html
    return html


def test_a_second_view_is_served_from_the_kept_body(manager, approver, ambassador, frozen, built):
    make_live_item(manager, approver, title="Premier sujet")
    client = logged_in(ambassador)
    first = feed(client)
    second = feed(client)
    assert len(built) == 1
    assert "Premier sujet" in second
    assert TOKEN.findall(second)  # the share forms carry a token...
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    feed(client, topic="1")  # ...and another query string is another body
    assert len(built) == 2


def test_an_approved_item_shows_on_the_next_view(manager, approver, ambassador, frozen, built):
    make_live_item(manager, approver, title="Premier sujet")
    client = logged_in(ambassador)
    feed(client)
    make_live_item(manager, approver, title="Second sujet")
    assert "Second sujet" in feed(client)
    assert len(built) == 2


def test_an_item_goes_live_at_its_time(manager, approver, ambassador, frozen, built):
    soon = frozen["at"] + dt.timedelta(seconds=20)
    make_live_item(manager, approver, title="Bientôt", publish_at=soon)
    client = logged_in(ambassador)
    assert "Bientôt" not in feed(client)
    assert "Bientôt" not in feed(client)
    assert len(built) == 1  # kept until the item goes live...
    frozen["at"] = soon + dt.timedelta(seconds=1)
    assert "Bientôt" in feed(client)  # ...then built again, in the same time slot


def test_the_charter_gate_follows_the_members_acceptance(admin, ambassador, frozen):
    charter = publish_charter(admin)
    client = logged_in(ambassador)
    assert 'id="gates-banner"' in feed(client)
    assert 'id="gates-banner"' in feed(client)
    client.post(reverse("governance:charter_accept"), {"version": charter.pk})
    assert 'id="gates-banner"' not in feed(client)
    publish_charter(admin, body_fr="v2", body_en="v2", summary="v2")
    assert "(version 2)" in feed(client)


def test_members_never_share_a_body(org, admin, manager, approver, frozen, built):
    charter = publish_charter(admin)
    make_live_item(manager, approver, title="Premier sujet")
    first = make_member(org, ambassador=True, email="a@example.org")
    second = make_member(org, ambassador=True, email="b@example.org")
    one, two = logged_in(first), logged_in(second)
    one.post(reverse("governance:charter_accept"), {"version": charter.pk})
    assert 'id="gates-banner"' not in feed(one)
    html = feed(two)
    assert 'id="gates-banner"' in html  # not the first member's body
    assert len(built) == 2
    assert set(TOKEN.findall(html)).isdisjoint(TOKEN.findall(feed(one)))


def test_the_members_interests_are_part_of_the_key(org, manager, approver, frozen, built):
    topic = Topic.objects.create(organization=org, name="Énergie", slug="energie")
    make_live_item(manager, approver, title="Premier sujet")
    member = make_member(org, ambassador=True, email="a@example.org")
    client = logged_in(member)
    feed(client)
    feed(client)
    assert len(built) == 1
    member.ambassador.interests.add(topic)  # moves no version: the feed's stamp holds it
    feed(client)
    feed(client)
    assert len(built) == 2


def test_an_archived_item_leaves_the_next_view(manager, approver, ambassador, frozen):
    item = make_live_item(manager, approver, title="Premier sujet")
    client = logged_in(ambassador)
    assert "Premier sujet" in feed(client)
    content_services.item_archive(membership=manager, item=item)
    assert "Premier sujet" not in feed(client)


def test_a_member_with_a_connected_account_gets_the_page_built_each_time(
    manager, approver, ambassador, frozen, built
):
    make_live_item(manager, approver, title="Premier sujet")
    client = logged_in(ambassador)
    feed(client)
    feed(client)
    assert len(built) == 1
    Connection.objects.create(
        organization=ambassador.organization,
        membership=ambassador,
        network="mastodon",
        account_id="1",
        handle="@a@example.org",
        status=ConnectionStatus.ACTIVE,
        created_at=frozen["at"],
        updated_at=frozen["at"],
    )
    feed(client)
    feed(client)
    assert len(built) == 3


def test_nothing_is_kept_when_the_cache_is_off(
    manager, approver, ambassador, frozen, built, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    make_live_item(manager, approver, title="Premier sujet")
    client = logged_in(ambassador)
    feed(client)
    feed(client)
    assert len(built) == 2


def test_the_members_content_languages_are_part_of_the_key(org, manager, approver, frozen):
    make_live_item(manager, approver, title="Premier sujet", language="fr")
    member = make_member(org, ambassador=True, email="a@example.org", languages=["fr"])
    client = logged_in(member)
    assert "Premier sujet" in feed(client)
    profile = member.ambassador
    profile.languages = ["en"]
    profile.save(update_fields=["languages"])  # moves no version: the key holds them
    assert "Premier sujet" not in feed(client)
