"""The feed's order: important and featured first, then new since the last visit, then by
matching interests, then the editors' priority, then newest (when the item went live)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.content import selectors
from portevoix.content.models import Topic
from portevoix.core import clock
from tests.factories import make_live_item, make_member

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_important_featured_new_interest_newest(org, manager, approver, monkeypatch):
    now = {"at": T0}
    monkeypatch.setattr(clock, "now", lambda: now["at"])

    def at(hours: float) -> None:
        now["at"] = T0 + dt.timedelta(hours=hours)

    data = Topic.objects.create(organization=org, name="Data", slug="data")
    fan = make_member(org, ambassador=True, topic_ids=[data.pk])
    at(0)
    make_live_item(manager, approver, title="old plain")
    at(1)
    make_live_item(manager, approver, title="old matching", topic_ids=[data.pk])
    at(2)
    make_live_item(manager, approver, title="old plain newer")
    at(3)
    make_live_item(manager, approver, title="old featured", featured=True)
    last_visit = T0 + dt.timedelta(hours=4)
    at(5)
    make_live_item(manager, approver, title="new plain")
    at(6)
    make_live_item(manager, approver, title="new matching", topic_ids=[data.pk])
    at(7)
    make_live_item(manager, approver, title="new important", important=True)
    at(8)
    items: list[Any] = list(selectors.feed_items(membership=fan, since=last_visit))
    assert [i.title for i in items] == [
        "new important",
        "old featured",
        "new matching",
        "new plain",
        "old matching",
        "old plain newer",
        "old plain",
    ]
    assert [i.is_new for i in items] == [1, 0, 1, 1, 0, 0, 0]
    # Without a last visit (the first one), nothing is new: interests, then newest.
    titles = [i.title for i in selectors.feed_items(membership=fan)]
    assert titles[:4] == ["new important", "old featured", "new matching", "old matching"]
    assert titles[4:] == ["new plain", "old plain newer", "old plain"]


def test_newest_is_when_the_item_went_live_not_when_it_was_written(
    org, manager, approver, ambassador, monkeypatch
):
    now = {"at": T0}
    monkeypatch.setattr(clock, "now", lambda: now["at"])
    from portevoix.content import services
    from tests.factories import make_item

    written_first = make_item(manager, title="written first, approved last")
    services.item_submit(membership=manager, item=written_first)
    now["at"] = T0 + dt.timedelta(hours=1)
    make_live_item(manager, approver, title="written and approved at once")
    now["at"] = T0 + dt.timedelta(hours=2)
    services.item_approve(membership=approver, item=written_first)
    titles = [i.title for i in selectors.feed_items(membership=ambassador)]
    assert titles == ["written first, approved last", "written and approved at once"]
