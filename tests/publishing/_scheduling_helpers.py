"""Plain helpers of the scheduling tests (tests/publishing/test_scheduling_*.py): instants in
Paris and New York, posts, clicks and cadence rules."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from portevoix.accounts.models import Membership
from portevoix.content.models import ContentItem
from portevoix.publishing.models import CadenceRule, Post, PostState
from portevoix.sharing import services as sharing_services
from portevoix.sharing.models import Click

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def make_post(
    membership: Membership,
    item: ContentItem,
    at: dt.datetime,
    *,
    network: str = "linkedin",
    state: str = PostState.SCHEDULED,
    published_at: dt.datetime | None = None,
) -> Post:
    link = sharing_services.link_get_or_create(membership=membership, item=item, network=network)
    return Post.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        network=network,
        item=item,
        link=link,
        text="Nous recrutons !",
        scheduled_at=at,
        state=state,
        published_at=published_at,
        created_at=at - dt.timedelta(days=1),
    )


def add_clicks(
    membership: Membership,
    item: ContentItem,
    times: Iterable[dt.datetime],
    *,
    network: str = "linkedin",
    counted: bool = True,
) -> None:
    link = sharing_services.link_get_or_create(membership=membership, item=item, network=network)
    Click.objects.bulk_create(
        [
            Click(
                organization_id=membership.organization_id,
                link=link,
                item_id_copy=item.pk,
                membership_id_copy=membership.pk,
                network=network,
                at=at,
                day=at.astimezone(UTC).date(),
                visitor=uuid.uuid4().hex,
                counted=counted,
                click_id=uuid.uuid4().hex,
                journal_key=uuid.uuid4().hex,
            )
            for at in times
        ]
    )


def weekly(first: dt.datetime, n: int) -> list[dt.datetime]:
    """`n` moments at the same local weekday and time, one a week going back from `first`
    (several per week when n > 10, a minute apart)."""
    return [first - dt.timedelta(weeks=i % 10, minutes=i // 10) for i in range(n)]


def rule(org, network: str = "linkedin", *, max_per_day: int = 0, gap: int = 0) -> CadenceRule:
    return CadenceRule.objects.create(
        organization=org, network=network, max_per_day=max_per_day, min_gap_minutes=gap
    )


def set_tz(membership: Membership, name: str) -> None:
    membership.user.time_zone = name
    membership.user.save(update_fields=["time_zone"])


NOW = paris(2025, 11, 22, 12, 0)  # a Saturday
