"""Reads of listening: the vigilance inbox (mentions by monitor, filtered), the monitors
and feeds of the organization, one of each (404 across organizations)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.context_processors import HomeBlock
from portevoix.core.tenancy import get_scoped, scoped

from . import voice
from .models import Feed, Mention, MentionStatus, Monitor, RedditApp, SpikeAlert, VoiceDay

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portevoix.accounts.models import Membership

INBOX_SIZE = 50  # a page; 100 cards took about twice as long to render (bench/inbox_bench.py)
WEEK_DAYS = 7  # the monitors' counts: mentions of the last 7 local days
HOME_CAP = 1000  # the home counts new mentions up to this many ("1000+"): a bounded read


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
    """The organization's monitors, each with its mentions of the last 7 days (`week_count`),
    summed from the share of voice rollup: one grouped query on a few rows a day, whatever
    the number of stored mentions (bench/inbox_bench.py; counting a monitor's new mentions
    on the mentions themselves took seconds at 2 million)."""
    require(membership, action)
    since = voice.local_day(clock.now()) - dt.timedelta(days=WEEK_DAYS - 1)
    counts = dict(
        scoped(VoiceDay, membership.organization_id)
        .filter(day__gte=since)
        .values_list("monitor_id")
        .annotate(total=Sum("mentions"))
        .values_list("monitor_id", "total")
    )
    found = list(scoped(Monitor, membership.organization_id).order_by("name", "pk"))
    for monitor in found:
        monitor.week_count = counts.get(monitor.pk, 0)  # type: ignore[attr-defined]
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
        # EXISTS, not a join: the page walks the time index and probes the monitor's links,
        # rather than sorting every mention of the monitor (bench/inbox_bench.py).
        links = Mention.monitors.through.objects.filter(
            mention_id=OuterRef("pk"), monitor_id=filters.monitor_id
        )
        rows = rows.filter(Exists(links))
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


def home_block(membership: Membership) -> HomeBlock | None:
    """The vigilance inbox on the community manager's home (`settings.HOME_BLOCK_PROVIDERS`):
    the new mentions (counted up to `HOME_CAP`, so the read stays bounded at millions), those
    new and assigned to this member, and the spike alerts of the last 7 days. Three queries;
    None for a member who does not read the inbox."""
    if not can(membership, "listening.view"):
        return None
    organization_id = membership.organization_id
    new = scoped(Mention, organization_id).filter(status=MentionStatus.NEW)
    count = new.values("pk")[:HOME_CAP].count()
    mine = new.filter(assignee_id=membership.pk).count()
    since = clock.now() - dt.timedelta(days=WEEK_DAYS)
    alerts = scoped(SpikeAlert, organization_id).filter(hour__gte=since).count()
    text = " · ".join(
        [
            ngettext("%(n)d assigned to you", "%(n)d assigned to you", mine) % {"n": mine},
            ngettext("%(n)d spike alert in 7 days", "%(n)d spike alerts in 7 days", alerts)
            % {"n": alerts},
        ]
    )
    return HomeBlock(
        title=_("New mentions"),
        count=count,
        capped=count >= HOME_CAP,
        text=text,
        url=reverse("listening:inbox"),
        link=_("Open the vigilance inbox"),
    )


def reddit_app(*, membership: Membership) -> RedditApp | None:
    """The organization's own Reddit app, if it entered one (decision 0032)."""
    require(membership, "listening.manage")
    return scoped(RedditApp, membership.organization_id).first()
