"""Reads of listening: the vigilance inbox (mentions by monitor, filtered), the monitors
and feeds of the organization, one of each (404 across organizations)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q
from django.utils import timezone

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from .models import Feed, Mention, MentionStatus, Monitor, VoiceDay

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portevoix.accounts.models import Membership

INBOX_SIZE = 100
NEW_COUNT_CAP = 99  # shown as "99+" beyond


@dataclass(frozen=True)
class InboxFilters:
    monitor_id: int | None = None
    network: str = ""
    status: str = MentionStatus.NEW
    sentiment: str = ""  # positive, neutral, negative, "none" (not computed) or "" (any)
    language: str = ""
    since: dt.date | None = None  # published on or after this day (the reader's time zone)
    until: dt.date | None = None  # published on or before this day
    assignee_id: int | None = None  # "assigned to me": the reader's membership id
    # Keyset: the page after this (published_at, id), newest first (decision 0027).
    before: tuple[dt.datetime, int] | None = None


@dataclass(frozen=True)
class InboxPage:
    mentions: list[Mention]
    next_cursor: str  # "" on the last page


def cursor_of(mention: Mention) -> str:
    """The position after `mention`: its time in microseconds since the epoch and its id."""
    micros = int(mention.published_at.timestamp()) * 1_000_000 + mention.published_at.microsecond
    return f"{micros}.{mention.pk}"


def parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    micros, _dot, pk = (value or "").partition(".")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
        return None
    seconds, rest = divmod(int(micros), 1_000_000)
    try:
        when = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=rest)
    except (OverflowError, OSError, ValueError):
        return None
    return when, int(pk)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def monitors(*, membership: Membership, action: str = "listening.view") -> list[Monitor]:
    """The organization's monitors, each with its count of new mentions counted up to
    `NEW_COUNT_CAP` (`new_count`; `new_more` when there are more): one short query per
    monitor that stops there, so the count costs the same at 10 million mentions
    (bench/inbox_bench.py) as at a hundred."""
    require(membership, action)
    found = list(scoped(Monitor, membership.organization_id).order_by("name", "pk"))
    for monitor in found:
        new = scoped(Mention, membership.organization_id).filter(
            monitors=monitor, status=MentionStatus.NEW
        )
        count = new.values("pk")[: NEW_COUNT_CAP + 1].count()
        monitor.new_count = min(count, NEW_COUNT_CAP)  # type: ignore[attr-defined]
        monitor.new_more = count > NEW_COUNT_CAP  # type: ignore[attr-defined]
    return found


def networks(*, membership: Membership) -> list[str]:
    """The networks the organization's mentions came from, read from the share of voice
    rollup (a few rows a day) rather than from the mentions themselves."""
    require(membership, "listening.view")
    rows = scoped(VoiceDay, membership.organization_id).order_by("network")
    return list(rows.values_list("network", flat=True).distinct())


def inbox_rows(*, membership: Membership, filters: InboxFilters) -> QuerySet[Mention]:
    """The mentions that pass the filters, newest first by (published_at, id): one indexed
    range scan per page (listening_mention_page_idx / _status_idx), however many there are."""
    require(membership, "listening.view")
    rows = scoped(Mention, membership.organization_id)
    if filters.monitor_id:
        rows = rows.filter(monitors__id=filters.monitor_id)
    if filters.network:
        rows = rows.filter(network=filters.network)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.sentiment:
        rows = rows.filter(sentiment="" if filters.sentiment == "none" else filters.sentiment)
    if filters.language:
        rows = rows.filter(language__startswith=filters.language)
    if filters.since:
        rows = rows.filter(published_at__gte=_day_start(filters.since))
    if filters.until:
        rows = rows.filter(published_at__lt=_day_start(filters.until + dt.timedelta(days=1)))
    if filters.assignee_id:
        rows = rows.filter(assignee_id=filters.assignee_id)
    if filters.before:
        when, pk = filters.before
        rows = rows.filter(published_at__lte=when).filter(Q(published_at__lt=when) | Q(pk__lt=pk))
    return rows.order_by("-published_at", "-pk")


def inbox_page(*, membership: Membership, filters: InboxFilters) -> InboxPage:
    """A page of the inbox (`INBOX_SIZE` mentions) with their monitors and assignee, and the
    cursor of the next page."""
    own_monitors = scoped(Monitor, membership.organization_id).order_by("name")
    rows = list(
        inbox_rows(membership=membership, filters=filters)
        .select_related("assignee__user")
        .prefetch_related(Prefetch("monitors", queryset=own_monitors))[: INBOX_SIZE + 1]
    )
    more = len(rows) > INBOX_SIZE
    rows = rows[:INBOX_SIZE]
    return InboxPage(rows, cursor_of(rows[-1]) if more else "")


def inbox(*, membership: Membership, filters: InboxFilters) -> list[Mention]:
    """The latest mentions that pass the filters (one page), newest first."""
    return inbox_page(membership=membership, filters=filters).mentions


def mention_of(*, membership: Membership, pk: int) -> Mention:
    mention = get_scoped(Mention, membership.organization_id, pk=pk)
    require(membership, "listening.view", mention)
    return mention


def monitor_of(*, membership: Membership, pk: int) -> Monitor:
    monitor = get_scoped(Monitor, membership.organization_id, pk=pk)
    require(membership, "listening.manage", monitor)
    return monitor


def feeds(*, membership: Membership) -> list[Feed]:
    require(membership, "listening.manage")
    return list(scoped(Feed, membership.organization_id).order_by("url", "pk"))


def feed_of(*, membership: Membership, pk: int) -> Feed:
    feed = get_scoped(Feed, membership.organization_id, pk=pk)
    require(membership, "listening.manage", feed)
    return feed
