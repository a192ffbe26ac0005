"""The per-period totals, moved by the ledger's writes: each member's (`PointTotal`) and each
team's (`TeamTotal`), in one `INSERT ... ON CONFLICT DO UPDATE` each (SQLite and
PostgreSQL), in the caller's transaction. The rows are written in key order, so two
concurrent writers lock them in the same order.

The teams follow their members: a member joining a team brings their totals to it, leaving
takes them away (`team_links_changed`, sent by accounts in the transaction of the change).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q

from portevoix.accounts import selectors as accounts_selectors
from portevoix.core.tenancy import scoped

from ..models import PointHistogram, PointTotal, TeamSize, TeamTotal

# (membership id, period, start) -> (points, spendable)
TotalKey = tuple[int, str, dt.date]
Deltas = Mapping[TotalKey, tuple[int, int]]

# Rows per statement (parameters: 6 per row, far below both databases' limits).
CHUNK = 500


def upsert_add(
    model: Any,
    keys: Sequence[str],
    adds: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fixed: Sequence[str] = (),
    returning: Sequence[str] = (),
    conflict_on: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert each row (organization_id, *keys, *adds, *fixed), or add its `adds` to the
    row already there with the same `keys` (its `fixed` columns left as they are). Returns
    the `returning` columns of every row written, as they are after the write. The unique
    key is `keys`, or `conflict_on` when it differs."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ["organization_id", *keys, *adds, *fixed]
    names = ", ".join(qn(c) for c in columns)
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in adds)
    conflict = ", ".join(qn(c) for c in (conflict_on or keys))
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapt = connection.ops.adapt_datefield_value
    ordered = sorted(rows, key=lambda row: tuple(row[1 : 1 + len(keys)]))
    tail = f" RETURNING {', '.join(qn(c) for c in returning)}" if returning else ""
    written: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for begin in range(0, len(ordered), CHUNK):
            chunk = ordered[begin : begin + CHUNK]
            params: list[Any] = []
            for row in chunk:
                params += [adapt(v) if isinstance(v, dt.date) else v for v in row]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(chunk))} "  # noqa: S608 - quoted identifiers; values are parameters
                f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}{tail}",
                params,
            )
            if returning:
                written += cursor.fetchall()
    return written


def teams_of(membership_ids: Iterable[int]) -> dict[int, list[int]]:
    """{membership id: its team ids} (one indexed query)."""
    ids = set(membership_ids)
    teams: dict[int, list[int]] = defaultdict(list)
    if ids:
        links = accounts_selectors.team_links().filter(membership_id__in=ids)
        for row in links.values_list("membership_id", "team_id"):
            teams[row[0]].append(row[1])
    return teams


def totals_add(organization_id: int, deltas: Deltas) -> None:
    """Add `deltas` to the members' period totals and to their teams' (four statements
    at most, whatever the number of rows)."""
    deltas = {key: value for key, value in deltas.items() if value != (0, 0)}
    if not deltas:
        return
    # A row inserted now takes the member's listing (services.listing keeps it after).
    unlisted = accounts_selectors.unlisted_among(
        organization_id=organization_id, membership_ids={key[0] for key in deltas}
    )
    moved = {key: points for key, (points, _spendable) in deltas.items() if points}
    written = upsert_add(
        PointTotal,
        ("membership_id", "period", "start"),
        ("points", "spendable"),
        [(organization_id, *key, *value, key[0] not in unlisted) for key, value in deltas.items()],
        fixed=("listed",),
        returning=("membership_id", "period", "start", "points", "listed") if moved else (),
    )
    if not moved:
        return
    # The listed rows whose points moved leave their bucket for the new one (each row's
    # points and flag as this write left them, under its row lock).
    buckets: dict[tuple[str, dt.date, int], int] = defaultdict(int)
    for membership_id, period, start, points, listed in written:
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        delta = moved.get((membership_id, period, day))
        if not delta or not listed:
            continue
        if points - delta > 0:
            buckets[(period, day, points - delta)] -= 1
        if points > 0:
            buckets[(period, day, points)] += 1
    histogram_add(organization_id, buckets)
    teams = teams_of(key[0] for key in moved)
    per_team: dict[tuple[int, str, dt.date], int] = defaultdict(int)
    for (membership_id, period, start), points in moved.items():
        for team_id in teams.get(membership_id, ()):
            per_team[(team_id, period, start)] += points
    if per_team:
        upsert_add(
            TeamTotal,
            ("team_id", "period", "start"),
            ("points",),
            [(organization_id, *key, points) for key, points in per_team.items() if points],
        )


def histogram_add(organization_id: int, buckets: Mapping[tuple[str, dt.date, int], int]) -> None:
    """Add to the listed members' count of each (period, start, points) bucket: one row
    per bucket moved, inserted, never updated (decision 0035). Writers take no lock on a
    bucket, so two awards in opposite orders cannot deadlock; `histogram_compact` folds
    each bucket's rows into one every minute."""
    rows = [
        PointHistogram(
            organization_id=organization_id, period=period, start=start, points=points, members=n
        )
        for (period, start, points), n in sorted(buckets.items())
        if n
    ]
    if rows:
        PointHistogram.objects.bulk_create(rows, batch_size=CHUNK)


# Buckets folded per transaction by `histogram_compact`.
FOLD_CHUNK = 200


def histogram_compact(*, organization_id: int | None = None) -> int:
    """Fold the rows of each bucket into one (or none, where they add up to zero), in
    transactions of `FOLD_CHUNK` buckets. Only the rows there when it starts are folded:
    those inserted meanwhile wait for the next run. Returns how many rows were folded."""
    rows = PointHistogram.objects.all()
    if organization_id is not None:
        rows = scoped(PointHistogram, organization_id)
    groups = list(
        rows.order_by()
        .values_list("organization_id", "period", "start", "points")
        .annotate(n=Count("id"), top=Max("id"))
        .filter(n__gt=1)
    )
    folded = 0
    for begin in range(0, len(groups), FOLD_CHUNK):
        chunk = groups[begin : begin + FOLD_CHUNK]
        which = Q()
        for org, period, start, points, _n, top in chunk:
            which |= Q(organization_id=org, period=period, start=start, points=points, pk__lte=top)
        with transaction.atomic():
            # Locked against another fold; a row another fold deleted meanwhile is skipped.
            found = list(
                PointHistogram.objects.select_for_update()
                .filter(which)
                .values_list("pk", "organization_id", "period", "start", "points", "members")
            )
            sums: dict[tuple[int, str, dt.date, int], int] = defaultdict(int)
            for _pk, org, period, start, points, members in found:
                sums[(org, period, start, points)] += members
            PointHistogram.objects.filter(pk__in=[row[0] for row in found]).delete()
            PointHistogram.objects.bulk_create(
                [
                    PointHistogram(
                        organization_id=org, period=period, start=start, points=points, members=n
                    )
                    for (org, period, start, points), n in sorted(sums.items())
                    if n
                ]
            )
            folded += len(found)
    return folded


def teams_follow_member(
    *, organization_id: int, membership_id: int, added: Sequence[int], removed: Sequence[int]
) -> None:
    """A member joined `added` and left `removed`: their totals of every period move with
    them, and the teams' sizes (one read of the member's totals, two upserts)."""
    if not added and not removed:
        return
    mine = list(
        scoped(PointTotal, organization_id)
        .filter(membership_id=membership_id)
        .exclude(points=0)
        .values_list("period", "start", "points")
    )
    rows = []
    sizes = []
    for team_ids, sign in ((added, 1), (removed, -1)):
        for team_id in team_ids:
            sizes.append((organization_id, team_id, sign))
            rows += [
                (organization_id, team_id, period, start, sign * points)
                for period, start, points in mine
            ]
    if rows:
        upsert_add(TeamTotal, ("team_id", "period", "start"), ("points",), rows)
    # Several changes of one team at once add up before the upsert (one row per team).
    merged: dict[int, int] = defaultdict(int)
    for _org, team_id, sign in sizes:
        merged[team_id] += sign
    upsert_add(
        TeamSize,
        ("team_id",),
        ("members",),
        [(organization_id, team_id, n) for team_id, n in merged.items() if n],
    )


def team_rows(
    organization_id: int, period: str, start: dt.date
) -> tuple[dict[int, int], dict[int, int]]:
    """({team id: points of its members in the period}, {team id: members}), every linked
    member counted (two small indexed queries: one row per team)."""
    points = dict(
        scoped(TeamTotal, organization_id)
        .filter(period=period, start=start)
        .values_list("team_id", "points")
    )
    sizes = dict(scoped(TeamSize, organization_id).values_list("team_id", "members"))
    return points, sizes
