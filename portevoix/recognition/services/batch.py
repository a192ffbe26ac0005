"""A batch of awards in a few queries (a click batch: hundreds of events at once).

The result is the one `ledger.points_award` would give for each award in order: same rule
version (the one in force when each event happened), same caps, same keys, same totals. The
difference is the cost: one query finds the keys already written, the rules come from their
cache, the caps' daily counters are locked together (`select_for_update`) and moved by one
upsert, the entries are inserted in one statement, the period totals (members' and teams')
move by one upsert per batch, and the badges of all the batch's people are checked in a few
queries (`progress`).
A duplicate key written meanwhile by a concurrent worker makes the batch's savepoint roll
back; the batch is then written one award at a time, where each duplicate is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import IntegrityError, transaction

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import DailyUse, PointEntry, PointRule
from ..periods import local_day, period_starts
from .ledger import Award, points_award
from .progress import entries_recorded
from .rules import rule_versions
from .totals import totals_add, upsert_add

# SQLite's and PostgreSQL's limits on bound parameters are far above this.
CHUNK = 500

CounterKey = tuple[int, str, dt.date, str]
TotalKey = tuple[int, str, dt.date]


def points_award_many(*, awards: Sequence[Award]) -> int:
    """Write each award of `awards` once, in the caller's transaction. Returns how many
    entries were written (a duplicate, or an event no active rule values, writes none)."""
    by_org: dict[int, list[Award]] = defaultdict(list)
    for award in awards:
        by_org[award.organization_id].append(award)
    written = 0
    for organization_id, batch in by_org.items():
        for start in range(0, len(batch), CHUNK):
            written += _award_chunk(organization_id, batch[start : start + CHUNK])
    return written


def _rule_finder(organization_id: int) -> Callable[[str, dt.datetime], PointRule | None]:
    versions = rule_versions(organization_id=organization_id)

    def rule_for(code: str, at: dt.datetime) -> PointRule | None:
        return next((rule for rule in versions.get(code, []) if rule.valid_from <= at), None)

    return rule_for


def _counter_keys(award: Award, rule: PointRule, day: dt.date) -> list[tuple[CounterKey, int]]:
    keys: list[tuple[CounterKey, int]] = []
    if rule.daily_cap:
        keys.append(((award.membership_id, award.rule, day, ""), rule.daily_cap))
    if rule.network_daily_cap and award.network:
        keys.append(((award.membership_id, award.rule, day, award.network), rule.network_daily_cap))
    return keys


def _lock_counters(organization_id: int, wanted: set[CounterKey]) -> dict[CounterKey, DailyUse]:
    """The daily counters of `wanted`, created where missing, locked."""
    if not wanted:
        return {}

    def read() -> dict[CounterKey, DailyUse]:
        rows = (
            scoped(DailyUse, organization_id)
            .select_for_update()
            .filter(
                membership_id__in={key[0] for key in wanted},
                rule__in={key[1] for key in wanted},
                day__in={key[2] for key in wanted},
            )
        )
        found = {(row.membership_id, row.rule, row.day, row.network): row for row in rows}
        return {key: row for key, row in found.items() if key in wanted}

    found = read()
    missing = wanted - found.keys()
    if missing:
        DailyUse.objects.bulk_create(
            [
                DailyUse(
                    organization_id=organization_id,
                    membership_id=membership_id,
                    rule=rule,
                    day=day,
                    network=network,
                )
                for membership_id, rule, day, network in missing
            ],
            ignore_conflicts=True,  # a concurrent worker created it: lock theirs below
        )
        found = read()
    return found


def _award_chunk(organization_id: int, batch: list[Award]) -> int:
    with transaction.atomic():
        done = set(
            scoped(PointEntry, organization_id)
            .filter(key__in=[award.key for award in batch])
            .values_list("key", flat=True)
        )
        rule_for = _rule_finder(organization_id)
        planned: list[tuple[Award, int, dt.date, list[tuple[CounterKey, int]]]] = []
        for award in batch:
            if award.key in done or award.count <= 0:
                continue
            rule = rule_for(award.rule, award.at)
            if rule is None or not rule.active or rule.points <= 0:
                continue
            done.add(award.key)
            day = local_day(award.at)
            planned.append((award, rule.points * award.count, day, _counter_keys(award, rule, day)))
        if not planned:
            return 0
        counters = _lock_counters(
            organization_id, {key for *_, caps in planned for key, _cap in caps}
        )
        try:
            with transaction.atomic():
                _write(organization_id, planned, counters)
        except IntegrityError:
            # A concurrent worker wrote one of these keys: one at a time, duplicates skipped.
            return sum(points_award(award=award) is not None for award, *_ in planned)
    return len(planned)


def _write(
    organization_id: int,
    planned: list[tuple[Award, int, dt.date, list[tuple[CounterKey, int]]]],
    counters: dict[CounterKey, DailyUse],
) -> None:
    used = {key: row.points for key, row in counters.items()}
    totals: dict[TotalKey, int] = defaultdict(int)
    entries = []
    now = clock.now()
    for award, points, day, caps in planned:
        allowed = points
        for key, cap in caps:
            allowed = min(allowed, max(0, cap - used[key]))
        for key, _cap in caps:
            used[key] += allowed
        entries.append(
            PointEntry(
                organization_id=organization_id,
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
                created_at=now,
                capped=allowed < points,
                count=award.count,
            )
        )
        if allowed:
            for period, start in period_starts(day):
                totals[(award.membership_id, period, start)] += allowed
    PointEntry.objects.bulk_create(entries)
    entries_recorded(organization_id, entries)
    # The rows are locked: each moves by this batch's points (one upsert for all of them).
    moved = [
        (organization_id, *key, used[key] - row.points)
        for key, row in counters.items()
        if used[key] != row.points
    ]
    if moved:
        upsert_add(DailyUse, ("membership_id", "rule", "day", "network"), ("points",), moved)
    totals_add(organization_id, {key: (points, points) for key, points in totals.items()})
