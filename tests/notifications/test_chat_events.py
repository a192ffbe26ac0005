"""Which events reach which Slack and Teams channels, and only once: new and important
content (through content's `item_went_live`), goals reached (analytics' `goal_reached`),
challenge progress by steps, and the weekly summary (nothing when nothing is new). The
posting itself is replaced by a recorder here (test_chat_delivery posts to a real one)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portevoix.analytics import services as analytics_services
from portevoix.analytics.models import Goal
from portevoix.core import clock
from portevoix.notifications.chat import delivery, events
from portevoix.notifications.models_chat import ChatDelivery, ChatEvent, DeliveryState
from portevoix.recognition.models import Challenge
from portevoix.recognition.services import challenges as challenge_services
from tests.notifications.chat_helpers import channel, live_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def posted(monkeypatch):
    """Every POST the delivery would make: (url, payload), answered 200."""
    calls: list[tuple[str, dict]] = []

    def fake_post(url, payload, now):
        calls.append((url, payload))
        return "sent", 200, None

    monkeypatch.setattr(delivery, "_post", fake_post)
    return calls


def keys(connection) -> list[str]:
    return sorted(ChatDelivery.objects.filter(connection=connection).values_list("key", flat=True))


def test_new_content_reaches_the_channels_that_take_it_once(org, admin, posted):
    live_only = channel(admin, events=["live"])
    important_only = channel(admin, kind="teams", events=["important"])
    both = channel(admin, events=["live", "important"])
    nothing = channel(admin, events=["goal"])
    plain = live_item(org)  # the signal, on commit, queues the task, which posts
    urgent = live_item(org, important=True)
    assert keys(live_only) == sorted([f"item:{plain.pk}:live", f"item:{urgent.pk}:live"])
    assert keys(important_only) == [f"item:{urgent.pk}:important"]
    # a channel taking both gets the important item once, as important
    assert keys(both) == sorted([f"item:{plain.pk}:live", f"item:{urgent.pk}:important"])
    assert keys(nothing) == []
    assert len(posted) == 5
    assert {d.state for d in ChatDelivery.objects.all()} == {DeliveryState.SENT}
    # The signal again (a second approval path, a retried task): nothing more.
    assert events.item_live(organization_id=org.pk, item_id=urgent.pk) == 0
    assert len(posted) == 5


def test_a_turned_off_channel_and_another_organization_get_nothing(org, admin, outsider, posted):
    off = channel(admin, events=["live"])
    off.enabled = False
    off.save(update_fields=["enabled"])
    theirs = channel(outsider, events=["live"])
    live_item(org)
    assert keys(off) == [] and keys(theirs) == [] and posted == []


def test_a_reached_goal_is_announced_once(org, admin, posted):
    goals = channel(admin, events=["goal"])
    channel(admin, events=["live"])
    goal = analytics_services.goal_create(
        actor=admin,
        data=analytics_services.GoalData(
            name="500 partages",
            metric="shares",
            target=Decimal("500"),
            start=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 31),
        ),
    )
    assert events.goal_reached(organization_id=org.pk, goal_id=goal.pk) == 0  # not reached
    Goal.objects.filter(pk=goal.pk).update(reached_at=clock.now(), reached_value=Decimal(512))
    assert events.goal_reached(organization_id=org.pk, goal_id=goal.pk) == 1
    assert events.goal_reached(organization_id=org.pk, goal_id=goal.pk) == 0
    assert keys(goals) == [f"goal:{goal.pk}:reached"]
    [(_url, payload)] = posted
    assert payload["blocks"][0]["text"]["text"].endswith("500 partages")


def test_challenge_progress_is_posted_by_steps(org, admin, posted):
    connection = channel(admin, kind="teams", events=["challenge"])
    now = clock.now()
    challenge = challenge_services.challenge_create(
        actor=admin,
        data=challenge_services.ChallengeData(
            title="Défi LinkedIn",
            description="",
            metric="shares",
            target=200,
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=6),
            scope="organization",
        ),
    )

    def progress(value: int) -> int:
        Challenge.objects.filter(pk=challenge.pk).update(progress=value)
        return events.challenges_progress(now=now)

    assert progress(20) == 0  # 10 %: nothing yet
    assert progress(60) == 1  # 30 %: the 25 % step
    assert progress(70) == 0
    assert progress(190) == 1  # 95 %: straight to 75 %, 50 % is not posted afterwards
    assert progress(250) == 1  # done
    assert progress(250) == 0
    assert keys(connection) == sorted(
        [
            f"challenge:{challenge.pk}:25",
            f"challenge:{challenge.pk}:75",
            f"challenge:{challenge.pk}:100",
        ]
    )
    assert len(posted) == 3


def test_the_weekly_summary_lists_the_weeks_content_once_and_nothing_when_empty(org, admin, posted):
    digest = channel(admin, events=["digest"])
    now = clock.now()
    assert events.weekly_digest(now=now) == 0  # nothing new
    first, second = live_item(org, title="Premier"), live_item(org, title="Second")
    assert events.weekly_digest(now=now + dt.timedelta(minutes=1)) == 1
    assert events.weekly_digest(now=now + dt.timedelta(minutes=2)) == 0  # same week
    year, week, _day = (now + dt.timedelta(minutes=1)).isocalendar()
    assert keys(digest) == [f"digest:{year}-W{week:02d}"]
    [row] = ChatDelivery.objects.filter(connection=digest)
    text = str(row.payload)
    assert "Premier" in text and "Second" in text
    assert f"/share/{first.pk}/linkedin/" in text and f"/share/{second.pk}/linkedin/" in text
    # Eight days later nothing went live: no summary.
    assert events.weekly_digest(now=now + dt.timedelta(days=8)) == 0


def test_the_channel_events_are_the_documented_six():
    # The five of decision 0014, and listening's spike alerts (decision 0027).
    assert set(ChatEvent.values) == {
        "live",
        "important",
        "digest",
        "challenge",
        "goal",
        "listening",
    }
