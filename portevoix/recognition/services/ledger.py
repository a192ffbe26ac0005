"""The points ledger: award once, reverse once, keep the per-period totals.

Every write happens in the caller's transaction (the event's own, when a signal brings it):
the event and its points commit together or not at all. An award is keyed per organization
(`PointEntry.key`, unique): the insert runs in a savepoint and a duplicate key (a retry, a
replay, a concurrent worker) rolls the savepoint back, caps and totals included, so the same
event never counts twice, on SQLite and on PostgreSQL. The caps' daily counters are locked
(an upsert that takes the row lock) before the insert, so two workers cannot both pass a cap.
The rules come from a cache (`rules.rule_versions`); the totals move by one upsert.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import DailyUse, PointEntry
from ..periods import local_day, period_starts
from .rules import rule_at
from .totals import totals_add

logger = logging.getLogger("portevoix.recognition")

REVERSE_PREFIX = "reverse:"


def entry_recorded(entry: PointEntry) -> None:
    from .progress import entry_recorded as follow

    follow(entry)


@dataclass(frozen=True)
class Award:
    """One event worth points: `count` times the rule's points (3 likes: count 3)."""

    organization_id: int
    membership_id: int
    rule: str
    source_type: str
    source_id: int
    key: str
    at: dt.datetime
    network: str = ""
    count: int = 1


def _capped(award: Award, points: int, day: dt.date, daily_cap: int, network_cap: int) -> int:
    """The points the caps leave, and the day's counters moved by them: the counters are
    created or locked by one upsert (a no-op update takes the row lock, as a select for
    update), then moved by one UPDATE."""
    caps = {}
    if daily_cap:
        caps[""] = daily_cap
    if network_cap and award.network:
        caps[award.network] = network_cap
    if not caps:
        return points
    qn = connection.ops.quote_name
    table = qn(DailyUse._meta.db_table)
    day_value = connection.ops.adapt_datefield_value(day)
    networks = sorted(caps)  # the same lock order for every writer
    rows = ", ".join(["(%s, %s, %s, %s, %s, 0)"] * len(networks))
    params: list[Any] = []
    for network in networks:
        params += [award.organization_id, award.membership_id, award.rule, day_value, network]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, membership_id, rule, day, network, points) "  # noqa: S608 - quoted identifiers; values are parameters
            f"VALUES {rows} ON CONFLICT (membership_id, rule, day, network) "
            f"DO UPDATE SET points = {table}.points RETURNING network, points",
            params,
        )
        used = dict(cursor.fetchall())
        allowed = points
        for network, cap in caps.items():
            allowed = min(allowed, max(0, cap - used[network]))
        if allowed:
            marks = ", ".join(["%s"] * len(networks))
            cursor.execute(
                f"UPDATE {table} SET points = points + %s WHERE membership_id = %s "  # noqa: S608 - quoted identifiers; values are parameters
                f"AND rule = %s AND day = %s AND network IN ({marks})",
                [allowed, award.membership_id, award.rule, day_value, *networks],
            )
    return allowed


def _add_totals(
    organization_id: int, membership_id: int, day: dt.date, points: int, spendable: int
) -> None:
    """Add to the member's four period totals and their teams' (one upsert each)."""
    totals_add(
        organization_id,
        {
            (membership_id, period, start): (points, spendable)
            for period, start in period_starts(day)
        },
    )


def points_award(*, award: Award) -> PointEntry | None:
    """Write the award of `award` once. Returns the entry, or None when the key was already
    there (now or by a concurrent worker) or when no active rule was in force then."""
    with transaction.atomic():
        rule = rule_at(organization_id=award.organization_id, code=award.rule, at=award.at)
        if rule is None or not rule.active or rule.points <= 0 or award.count <= 0:
            return None
        points = rule.points * award.count
        day = local_day(award.at)
        try:
            with transaction.atomic():
                allowed = _capped(award, points, day, rule.daily_cap, rule.network_daily_cap)
                entry = PointEntry.objects.create(
                    organization_id=award.organization_id,
                    membership_id=award.membership_id,
                    rule=award.rule,
                    lifetime=allowed,
                    spendable=allowed,
                    source_type=award.source_type,
                    source_id=award.source_id,
                    network=award.network,
                    key=award.key,
                    at=award.at,
                    day=day,
                    created_at=clock.now(),
                    capped=allowed < points,
                    count=award.count,
                )
                _add_totals(award.organization_id, award.membership_id, day, allowed, allowed)
        except IntegrityError:
            return None
        entry_recorded(entry)  # badges and challenges, in this transaction
    return entry


def _effective(original: PointEntry) -> tuple[int, int]:
    """What an award is worth now: its row plus the recounts' corrections of it."""
    lifetime, spendable = original.lifetime, original.spendable
    for row in scoped(PointEntry, original.organization_id).filter(adjusts_id=original.pk):
        lifetime += row.lifetime
        spendable += row.spendable
    return lifetime, spendable


def _reverse(original: PointEntry, reason: str = "") -> PointEntry | None:
    lifetime, spendable = _effective(original)
    try:
        with transaction.atomic():
            entry = PointEntry.objects.create(
                organization_id=original.organization_id,
                membership_id=original.membership_id,
                rule=original.rule,
                lifetime=-lifetime,
                spendable=-spendable,
                source_type=original.source_type,
                source_id=original.source_id,
                network=original.network,
                key=REVERSE_PREFIX + original.key,
                # The reversal belongs to the period of what it undoes.
                at=original.at,
                day=original.day,
                created_at=clock.now(),
                reverses=original,
                count=original.count,
                reason=reason[:300],
            )
            _add_totals(
                original.organization_id,
                original.membership_id,
                original.day,
                -lifetime,
                -spendable,
            )
            entry_recorded(entry)  # challenges count the reversal
    except IntegrityError:
        return None
    return entry


def points_reverse(*, organization_id: int, key: str, reason: str = "") -> PointEntry | None:
    """Undo the award keyed `key` with a negative entry keyed "reverse:<key>" (once).
    The day's caps stay used: removing a share does not make room for another."""
    with transaction.atomic():
        original = scoped(PointEntry, organization_id).filter(key=key).first()
        if original is None or original.reverses_id is not None or original.adjusts_id:
            return None
        if scoped(PointEntry, organization_id).filter(key=REVERSE_PREFIX + key).exists():
            return None
        return _reverse(original, reason)


def points_reverse_source(
    *,
    organization_id: int,
    source_type: str,
    source_id: int,
    rules: tuple[str, ...] = (),
    reason: str = "",
) -> int:
    """Undo every award that came from one event (a share taken down), or only those of
    `rules` (a post deleted on its network: its engagement). Returns how many."""
    with transaction.atomic():
        awards = scoped(PointEntry, organization_id).filter(
            source_type=source_type,
            source_id=source_id,
            reverses__isnull=True,
            adjusts__isnull=True,
        )
        if rules:
            awards = awards.filter(rule__in=rules)
        done = 0
        for key in list(awards.values_list("key", flat=True)):
            reversal = points_reverse(organization_id=organization_id, key=key, reason=reason)
            if reversal is not None:
                done += 1
        return done
