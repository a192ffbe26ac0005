"""'New since your last visit': the visit before the current browsing session is what the
markers compare with, so a reload or the next page keeps them; the first visit marks
nothing (everything would be new: a marker on every card says nothing)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.content import selectors
from portevoix.content.models import Topic
from portevoix.core import clock
from tests.factories import make_live_item, make_member

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, monkeypatch) -> None:
        self.now = T0
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def time(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def _feed(client) -> str:
    return client.get(reverse("content:feed")).content.decode()


def _new_titles(html: str) -> list[str]:
    cards = re.findall(r'<article class="[^"]*\bis-new\b[^"]*".*?<h2[^>]*>([^<]+)</h2>', html, re.S)
    return cards


def test_the_visit_service_keeps_the_previous_visit_for_the_session(ambassador, time):
    visit = account_services.ambassador_feed_visit
    assert visit(membership=ambassador) is None  # first visit: nothing to compare with
    time.advance(minutes=10)
    assert visit(membership=ambassador) is None  # same browsing session
    time.advance(hours=3)
    second_session = time.now
    assert visit(membership=ambassador) == T0 + dt.timedelta(minutes=10)
    time.advance(minutes=20)
    # Still the same session (visits under 30 minutes apart): the same comparison point.
    assert visit(membership=ambassador) == T0 + dt.timedelta(minutes=10)
    time.advance(minutes=25)
    assert visit(membership=ambassador) == T0 + dt.timedelta(minutes=10)
    time.advance(hours=1)
    # A new session compares with the last recorded visit of the previous one.
    assert visit(membership=ambassador) == second_session + dt.timedelta(minutes=45)


def test_the_last_visit_is_written_at_most_every_few_minutes(
    ambassador, time, django_assert_num_queries
):
    account_services.ambassador_feed_visit(membership=ambassador)
    time.advance(minutes=1)
    with django_assert_num_queries(0):  # the profile is cached on the membership
        account_services.ambassador_feed_visit(membership=ambassador)
    time.advance(minutes=5)
    with django_assert_num_queries(1):
        account_services.ambassador_feed_visit(membership=ambassador)


def test_first_visit_marks_nothing_then_new_items_are_marked_and_counted(
    client, manager, approver, ambassador, time
):
    make_live_item(manager, approver, title="Old news")
    client.force_login(ambassador.user)
    html = _feed(client)
    assert _new_titles(html) == [] and "since your last visit" not in html
    time.advance(hours=2)
    for title in ("Fresh one", "Fresh two", "Fresh three"):
        make_live_item(manager, approver, title=title)
    time.advance(hours=1)
    html = _feed(client)
    assert sorted(_new_titles(html)) == ["Fresh one", "Fresh three", "Fresh two"]
    assert "3 new since your last visit" in html
    # A reload, or the next visit within the session, keeps the markers.
    time.advance(minutes=10)
    assert "3 new since your last visit" in _feed(client)
    # The next session: the items seen in this one are no longer new.
    time.advance(hours=2)
    html = _feed(client)
    assert _new_titles(html) == [] and "since your last visit" not in html


def test_a_fresh_item_with_no_topic_is_on_page_one_with_its_marker(
    client, org, manager, approver, time
):
    topic = Topic.objects.create(organization=org, name="Data", slug="data")
    fan = make_member(org, ambassador=True, topic_ids=[topic.pk])
    for n in range(12):
        make_live_item(manager, approver, title=f"Matching {n}", topic_ids=[topic.pk])
    client.force_login(fan.user)
    _feed(client)
    time.advance(hours=3)
    make_live_item(manager, approver, title="Freshly approved")
    time.advance(hours=1)
    html = _feed(client)
    assert _new_titles(html) == ["Freshly approved"]
    assert "1 new since your last visit" in html


def test_french_counts_the_new_items(client, manager, approver, ambassador, time):
    client.force_login(ambassador.user)
    _feed(client)
    time.advance(hours=3)
    make_live_item(manager, approver, title="Nouveau")
    make_live_item(manager, approver, title="Nouveau aussi")
    time.advance(hours=1)
    html = client.get(reverse("content:feed"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "2 nouveaux depuis votre dernière visite" in html
    assert ">Nouveau</span>" in html


def test_a_scheduled_item_is_new_from_its_publication(manager, approver, ambassador, time):
    make_live_item(manager, approver, title="Scheduled", publish_at=T0 + dt.timedelta(hours=5))
    since = T0 + dt.timedelta(hours=2)  # the last visit: after the approval, before publication
    time.advance(hours=6)
    items: list[Any] = list(selectors.feed_items(membership=ambassador, since=since))
    assert [(i.title, i.is_new) for i in items] == [("Scheduled", 1)]
