"""The share of voice rollup (decision 0028): `VoiceDay`, mentions per organization, monitor,
local day, network and sentiment, so that the share of voice page reads at most a few
thousand small rows whatever the number of mentions, never the mentions themselves.

- `count_mention`: called by `services.ingest` in the transaction that stores the mention,
  one upsert statement (`INSERT ... ON CONFLICT DO UPDATE SET mentions = mentions + 1`,
  atomic on SQLite and PostgreSQL, as the analytics rollups): concurrent workers add up.
- `recount`: recomputes the cells of a range of days from the mentions (delete, then insert
  the counts), idempotent. The periodic job runs it on the recent days, which repairs what
  the increments cannot see: a sentiment filled in after the mention was stored, a post
  deleted at its source, a mention stored in a transaction that rolled back after the add
  (the add is in the same transaction, so that one cannot happen). The command
  `manage.py listening_voice_rebuild` runs it on any range.
- Retention: `services.purge_expired` deletes old mentions but keeps their cells (counts
  carry no personal data: no text, author or link), so the share of voice over 90 days
  stays right for an organization that keeps mentions 30 days. A recount never reaches a
  day the retention may have purged (it starts the day after the retention's cutoff).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from .models import Mention, VoiceDay

RECENT_DAYS = 2  # the periodic recount: today and the day before
_KEY = ("organization_id", "monitor_id", "day", "network", "sentiment")


def local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when).date()


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


def _add(rows: list[tuple[int, int, dt.date, str, str, int]]) -> None:
    """One upsert adding `rows` (distinct keys) to their cells."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(VoiceDay._meta.db_table)
    columns = (*_KEY, "mentions")
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES {values} "  # noqa: S608 - quoted identifiers; values are parameters
        f"ON CONFLICT ({', '.join(qn(c) for c in _KEY)}) "
        f"DO UPDATE SET {qn('mentions')} = {table}.{qn('mentions')} + excluded.{qn('mentions')}"
    )
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def count_mention(mention: Mention, monitor_ids: Iterable[int]) -> None:
    """Add a newly stored mention to its monitors' cells (in the caller's transaction)."""
    day = local_day(mention.published_at)
    _add(
        [
            (mention.organization_id, monitor_id, day, mention.network, mention.sentiment, 1)
            for monitor_id in sorted(set(monitor_ids))
        ]
    )


def first_countable_day(organization_id: int, now: dt.datetime | None = None) -> dt.date:
    """The first day whose mentions are all still stored (the day after the retention's
    cutoff): a recount before it would erase counts of purged mentions."""
    from .services import retention_days

    now = now or clock.now()
    cutoff = now - dt.timedelta(days=retention_days(organization_id))
    return local_day(cutoff) + dt.timedelta(days=1)


_BATCH = 500


def recount(organization_id: int, start: dt.date, end: dt.date) -> int:
    """Recompute the cells of `start`..`end` (both included; clamped to the days the
    retention keeps whole) from the mentions; returns how many cells the range now has."""
    start = max(start, first_countable_day(organization_id))
    if end < start:
        return 0
    low, high = _bounds(start, end)
    through = Mention.monitors.through
    counts = (
        through.objects.filter(
            mention__organization_id=organization_id,
            mention__published_at__gte=low,
            mention__published_at__lt=high,
        )
        .annotate(day=TruncDate("mention__published_at"))
        # django-stubs does not see the annotation `day` here
        .values_list("monitor_id", "day", "mention__network", "mention__sentiment")  # type: ignore[misc]
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        (organization_id, monitor_id, day, network, sentiment, n)
        for monitor_id, day, network, sentiment, n in counts
    ]
    with transaction.atomic():
        scoped(VoiceDay, organization_id).filter(day__gte=start, day__lte=end).delete()
        for i in range(0, len(rows), _BATCH):
            _add(rows[i : i + _BATCH])
    return len(rows)


def recount_recent(days: int = RECENT_DAYS) -> int:
    """The periodic repair: every organization with monitors, its last `days` days."""
    from .models import Monitor

    today = local_day(clock.now())
    start = today - dt.timedelta(days=days - 1)
    organizations = Monitor.objects.values_list("organization_id", flat=True).distinct()
    return sum(recount(org, start, today) for org in sorted(set(organizations)))
