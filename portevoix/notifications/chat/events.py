"""The program's events turned into channel deliveries. Called from tasks (the receivers
in `notifications/receivers.py` queue them; the weekly summary and challenge progress are
periodic, in config/schedule.py). Each event has its key: a channel gets it once.

- `live`: an item reached the feed (key `item:<id>:live`); a channel that also takes
  `important` gets the important item only once, as important (`item:<id>:important`);
- `goal`: a goal was reached (`goal:<id>:reached`);
- `challenge`: a running challenge passed 25, 50, 75 or 100 % (`challenge:<id>:<step>`;
  only the highest step passed since the last check is posted);
- `digest`: the week's new content, Monday morning (`digest:<ISO year>-W<week>`), nothing
  when there is nothing new.
"""

from __future__ import annotations

import datetime as dt

from portevoix.analytics.selectors import goals as analytics_goals
from portevoix.content import selectors as content_selectors
from portevoix.content.selectors import live_since
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.recognition.selectors import challenges as recognition_challenges

from ..models_chat import ChatConnection, ChatDelivery, ChatEvent
from . import delivery, messages, selectors

STEPS = (25, 50, 75, 100)
DIGEST_DAYS = 7


def item_live(*, organization_id: int, item_id: int) -> int:
    try:
        item = content_selectors.live_item(organization_id=organization_id, item_id=item_id)
    except NotFound:
        return 0
    channels = selectors.enabled_connections(organization_id=organization_id)
    important = [c for c in channels if item.important and ChatEvent.IMPORTANT in c.events]
    live = [c for c in channels if ChatEvent.LIVE in c.events and c not in important]
    created = delivery.deliveries_create(
        organization_id=organization_id,
        event=ChatEvent.IMPORTANT,
        key=f"item:{item.pk}:important",
        build=lambda: messages.item_live(item, important=True),
        connections=important,
    )
    created += delivery.deliveries_create(
        organization_id=organization_id,
        event=ChatEvent.LIVE,
        key=f"item:{item.pk}:live",
        build=lambda: messages.item_live(item, important=item.important),
        connections=live,
    )
    return len(created)


def goal_reached(*, organization_id: int, goal_id: int) -> int:
    try:
        goal = analytics_goals.reached_goal(organization_id=organization_id, goal_id=goal_id)
    except NotFound:
        return 0
    return len(
        delivery.deliveries_create(
            organization_id=organization_id,
            event=ChatEvent.GOAL,
            key=f"goal:{goal.pk}:reached",
            build=lambda: messages.goal_reached(goal),
            connections=selectors.enabled_connections(
                organization_id=organization_id, event=ChatEvent.GOAL
            ),
        )
    )


def _step(progress: int, target: int) -> int:
    percent = progress * 100 // max(1, target)
    passed = [step for step in STEPS if percent >= step]
    return passed[-1] if passed else 0


def challenges_progress(*, now: dt.datetime | None = None) -> int:
    """Every organization with a channel taking `challenge`: its running challenges' step."""
    now = now or clock.now()
    created = 0
    for organization_id in selectors.organizations_with_event(event=ChatEvent.CHALLENGE):
        channels = selectors.enabled_connections(
            organization_id=organization_id, event=ChatEvent.CHALLENGE
        )
        for challenge in recognition_challenges.running_challenges(
            organization_id=organization_id, now=now
        ):
            step = _step(challenge.progress, challenge.target)
            if not step:
                continue
            prefix = f"challenge:{challenge.pk}:"
            told = _steps_told(channels, prefix)
            fresh = [c for c in channels if told.get(c.pk, 0) < step]
            created += len(
                delivery.deliveries_create(
                    organization_id=organization_id,
                    event=ChatEvent.CHALLENGE,
                    key=f"{prefix}{step}",
                    build=lambda c=challenge, s=step: messages.challenge_progress(c, s),
                    connections=fresh,
                    now=now,
                )
            )
    return created


def _steps_told(channels: list[ChatConnection], prefix: str) -> dict[int, int]:
    told: dict[int, int] = {}
    rows = ChatDelivery.objects.filter(
        connection__in=[c.pk for c in channels], key__startswith=prefix
    ).values_list("connection_id", "key")
    for connection_id, key in rows:
        step = int(key.rsplit(":", 1)[1])
        told[connection_id] = max(told.get(connection_id, 0), step)
    return told


def weekly_digest(*, now: dt.datetime | None = None) -> int:
    """The week's new content to every channel taking `digest` (once per ISO week)."""
    now = now or clock.now()
    year, week, _day = now.isocalendar()
    created = 0
    for organization_id in selectors.organizations_with_event(event=ChatEvent.DIGEST):
        items, total = live_since.items_live_since(
            organization_id=organization_id,
            since=now - dt.timedelta(days=DIGEST_DAYS),
            now=now,
            limit=messages.DIGEST_ITEMS,
        )
        if not total:
            continue
        created += len(
            delivery.deliveries_create(
                organization_id=organization_id,
                event=ChatEvent.DIGEST,
                key=f"digest:{year}-W{week:02d}",
                build=lambda i=items, t=total: messages.weekly_digest(i, t),
                connections=selectors.enabled_connections(
                    organization_id=organization_id, event=ChatEvent.DIGEST
                ),
                now=now,
            )
        )
    return created
