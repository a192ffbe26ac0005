"""Benchmark of the dashboard queries on SQLite and PostgreSQL.

    .venv/bin/python bench/dashboard_bench.py [--scale 1.0] [--dbs sqlite,postgres]
                                              [--runs 7] [--out bench/RESULTS.md]

At scale 1.0 (env BENCH_SCALE, or --scale) it generates one organization with 100,000
ambassadors (users + memberships, in 40 teams), 5,000 items in 50 campaigns, 1,000,000
shares (a tenth of them published through connected accounts, with engagement snapshots),
10,000,000 clicks and 100,000 conversions over 365 days, loads them into each
database (PostgreSQL: COPY; SQLite: executemany in big transactions with
synchronous=OFF and journal_mode=OFF for the load only), builds the rollups with
`rollups_rebuild` (one INSERT ... SELECT ... GROUP BY per table), then times every dashboard
selector for a 30-day and a 365-day range, `--runs` times each after one warm-up, and
writes the "Dashboards" section of bench/RESULTS.md (other sections are kept).

Generated data (TSV files) and the SQLite database are cached in /tmp/portevoix-bench
(--cache) between runs; the PostgreSQL database `bench` is created, loaded and dropped
each run (--keep-pg keeps it for the next run). Each database runs in a child process
with a time limit, and every step prints its progress.
"""

# A local benchmark: fixed paths under /tmp, its own psql and child processes, SQL built
# from quoted identifiers only.
# ruff: noqa: S108, S603, S607, S608

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = "5"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "bench"
TARGET_MS = 200.0
CHILD_TIMEOUT_S = 3 * 3600
NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")
NETWORK_WEIGHTS = (55, 15, 12, 6, 7, 5)
DAYS = 365
END_DAY = dt.date(2026, 6, 17)  # last day of the data: fixed (reproducible), mid-month

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


# --------------------------------------------------------------------------- sizes


def sizes(scale: float) -> dict[str, int]:
    return {
        "ambassadors": max(20, round(100_000 * scale)),
        "teams": max(3, round(40 * min(1.0, scale * 10))),
        "campaigns": max(3, round(50 * min(1.0, scale * 10))),
        "items": max(10, round(5_000 * scale)),
        "shares": max(100, round(1_000_000 * scale)),
        "clicks": max(1_000, round(10_000_000 * scale)),
        "conversion_rate_per_mille": 10,
        "connected_per_mille": 100,  # shares published through connected accounts
    }


# --------------------------------------------------------------------------- django


def setup_django(db: str, sqlite_path: Path | None = None, pg_url: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    os.environ["PORTEVOIX_VAR_DIR"] = os.environ.get("BENCH_VAR_DIR", "/tmp/portevoix-bench/var")
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(sqlite_path)
    else:
        os.environ["DATABASE_URL"] = str(pg_url)
    import django

    django.setup()


def model_columns(model: Any) -> tuple[list[str], list[Any], dict[str, int]]:
    """Columns of `model`, a template row of defaults, and each field name's position.
    Fields the generator does not know get their default, NULL or "" (so the bench keeps
    working when other apps add fields)."""
    from django.db import models

    columns, template, index = [], [], {}
    for i, f in enumerate(model._meta.concrete_fields):
        columns.append(f.column)
        index[f.attname] = i
        if f.has_default():
            value = f.get_default()
            if isinstance(value, (list, dict)):
                value = json.dumps(value)
        elif f.null:
            value = None
        elif isinstance(f, (models.CharField, models.TextField, models.FileField)):
            value = ""
        elif isinstance(f, models.DateTimeField):
            value = "2025-01-01 00:00:00"
        else:
            value = None  # must be set by the generator
        template.append(value)
    return columns, template, index


def tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


# --------------------------------------------------------------------------- generation

MODELS = [
    ("accounts", "User"),
    ("accounts", "Membership"),
    ("accounts", "Team"),
    ("accounts", "Membership_teams"),
    ("content", "Campaign"),
    ("content", "ContentItem"),
    ("sharing", "TrackedLink"),
    ("sharing", "Share"),
    ("sharing", "Click"),
    ("sharing", "Conversion"),
    ("publishing", "Post"),
    ("publishing", "EngagementSnapshot"),
]


def get_model(app: str, name: str) -> Any:
    from django.apps import apps

    if name == "Membership_teams":
        return apps.get_model("accounts", "Membership").teams.through
    return apps.get_model(app, name)


class Writer:
    """Rows of one model, written as TSV with the model's columns."""

    def __init__(self, folder: Path, app: str, name: str):
        self.model = get_model(app, name)
        self.columns, self.template, self.index = model_columns(self.model)
        self.path = folder / f"{self.model._meta.db_table}.tsv"
        self.fh = self.path.open("w", encoding="utf-8", buffering=1 << 20)
        self.count = 0

    def row(self, **values: Any) -> None:
        row = list(self.template)
        for name, value in values.items():
            row[self.index[name]] = value
        self.fh.write("\t".join(map(tsv, row)) + "\n")
        self.count += 1

    def close(self) -> None:
        self.fh.close()


def generate(folder: Path, scale: float, org_id: int) -> dict[str, int]:
    """Write every table's rows as TSV in `folder`. Deterministic (seeded)."""
    rnd = random.Random(20261124)
    n = sizes(scale)
    folder.mkdir(parents=True, exist_ok=True)
    w = {name: Writer(folder, app, name) for app, name in MODELS}
    start_day = END_DAY - dt.timedelta(days=DAYS - 1)
    stamp = "2025-01-01 00:00:00"
    # Ids start high so they never meet the few rows made through the ORM.
    base = 1_000_000

    log(f"generating {n}")
    member_ids = []
    for i in range(n["ambassadors"]):
        uid = base + i
        w["User"].row(
            id=uid,
            password="!",  # noqa: S106 - Django's mark of an unusable password
            email=f"amb{i}@bench.test",
            full_name=f"Ambassador {i}",
            date_joined=stamp,
            is_active=True,
        )
        w["Membership"].row(id=uid, organization_id=org_id, user_id=uid, joined_at=stamp)
        member_ids.append(uid)
    team_ids = [base + t for t in range(n["teams"])]
    for t, tid in enumerate(team_ids):
        w["Team"].row(id=tid, organization_id=org_id, name=f"Team {t}")
    link_no = 0
    for mid in member_ids:
        teams = {rnd.choice(team_ids)}
        if rnd.random() < 0.05:  # some people are in two teams
            teams.add(rnd.choice(team_ids))
        for tid in teams:
            link_no += 1
            w["Membership_teams"].row(id=link_no, membership_id=mid, team_id=tid)
    campaign_ids = [base + c for c in range(n["campaigns"])]
    for c, cid in enumerate(campaign_ids):
        w["Campaign"].row(id=cid, organization_id=org_id, name=f"Campaign {c}", slug=f"c-{c}")
    items = []  # (id, campaign, publish day index)
    for k in range(n["items"]):
        iid = base + k
        campaign = rnd.choice(campaign_ids) if rnd.random() < 0.7 else None
        publish = rnd.randrange(DAYS)
        items.append((iid, campaign, publish))
        w["ContentItem"].row(
            id=iid,
            organization_id=org_id,
            title=f"Item {k}",
            language="fr",
            state="live",
            campaign_id=campaign,
            created_at=stamp,
            updated_at=stamp,
        )
    # Activity is skewed, as in real programmes: a few people and items do much.
    member_cum = _cumulative([1 / (r + 1) ** 0.5 for r in range(len(member_ids))])
    item_cum = _cumulative([1 / (r + 1) ** 0.6 for r in range(len(items))])
    network_cum = _cumulative(NETWORK_WEIGHTS)
    audience = {mid: int(rnd.lognormvariate(5.5, 1.0)) + 10 for mid in member_ids}
    net_factor = {
        "linkedin": 1.0,
        "x": 0.6,
        "facebook": 0.8,
        "mastodon": 0.2,
        "bluesky": 0.3,
        "threads": 0.3,
    }

    log("shares")
    # Connected posts and their snapshots draw from their own generator, so the rest of the
    # data is the same with or without them.
    prnd = random.Random(20261125)
    post_no = snapshot_no = 0
    links: dict[tuple[int, int, str], int] = {}
    shares = []  # (link id, day index, virality)
    picked_members = rnd.choices(member_ids, cum_weights=member_cum, k=n["shares"])
    picked_items = rnd.choices(items, cum_weights=item_cum, k=n["shares"])
    picked_networks = rnd.choices(NETWORKS, cum_weights=network_cum, k=n["shares"])
    for s in range(n["shares"]):
        mid, (iid, _campaign, publish), network = (
            picked_members[s],
            picked_items[s],
            picked_networks[s],
        )
        day = min(DAYS - 1, publish + int(rnd.expovariate(1 / 3)))
        key = (mid, iid, network)
        lid = links.get(key)
        if lid is None:
            lid = links[key] = base + len(links)
            w["TrackedLink"].row(
                id=lid,
                organization_id=org_id,
                code=f"b{lid:x}",
                membership_id=mid,
                item_id=iid,
                network=network,
                created_at=stamp,
            )
        hour, minute = 8 + rnd.randrange(10), rnd.randrange(60)
        at = f"{start_day + dt.timedelta(days=day)} {hour:02d}:{minute:02d}:00"
        w["Share"].row(
            id=base + s,
            organization_id=org_id,
            membership_id=mid,
            item_id=iid,
            network=network,
            link_id=lid,
            personalized=rnd.random() < 0.2,
            state="confirmed",
            audience=int(audience[mid] * net_factor[network]),
            created_at=at,
        )
        shares.append((lid, mid, iid, network, day, rnd.paretovariate(1.5)))
        if prnd.randrange(1000) < n["connected_per_mille"]:
            post_no += 1
            pid = base + post_no
            w["Post"].row(
                id=pid,
                organization_id=org_id,
                membership_id=mid,
                network=network,
                item_id=iid,
                link_id=lid,
                text=f"Post {pid}",
                scheduled_at=at,
                state="published",
                key=f"{pid:032x}",
                remote_id=f"remote-{pid}",
                share_id=base + s,
                created_at=at,
                published_at=at,
            )
            snapshot_no = _snapshots(
                w["EngagementSnapshot"], prnd, org_id, pid, network, at, snapshot_no, base
            )
    del picked_members, picked_items, picked_networks

    log("clicks")
    share_cum = _cumulative([s[5] for s in shares])
    last_visitor: dict[int, tuple[int, int]] = {}
    visitor_no = 0
    conversion_no = 0
    chunk = 1_000_000
    for offset in range(0, n["clicks"], chunk):
        count = min(chunk, n["clicks"] - offset)
        for c, share in enumerate(rnd.choices(shares, cum_weights=share_cum, k=count)):
            cid = base + offset + c
            lid, mid, iid, network, share_day, _v = share
            r = rnd.random()
            lag = 0 if r < 0.7 else 1 if r < 0.9 else rnd.randrange(2, 7)
            day = min(DAYS - 1, share_day + lag)
            previous = last_visitor.get(lid)
            if previous is not None and previous[1] == day and rnd.random() < 0.08:
                visitor, counted = previous[0], False  # a repeat click, not counted
            else:
                visitor_no += 1
                visitor, counted = visitor_no, True
                last_visitor[lid] = (visitor, day)
            date = start_day + dt.timedelta(days=day)
            hour, minute, second = 10 + rnd.randrange(10), rnd.randrange(60), rnd.randrange(60)
            at = f"{date} {hour:02d}:{minute:02d}:{second:02d}"
            w["Click"].row(
                id=cid,
                organization_id=org_id,
                link_id=lid,
                item_id_copy=iid,
                membership_id_copy=mid,
                network=network,
                at=at,
                day=date,
                visitor=f"{visitor:032x}",
                counted=counted,
                click_id=f"{cid:032x}",
                journal_key=f"bench:{cid:012d}",
            )
            if counted and rnd.randrange(1000) < n["conversion_rate_per_mille"]:
                conversion_no += 1
                w["Conversion"].row(
                    id=base + conversion_no,
                    organization_id=org_id,
                    external_id=f"order-{conversion_no}",
                    kind="lead",
                    value=f"{rnd.randrange(0, 50000) / 100:.2f}",
                    currency="EUR",
                    click_id=cid,
                    link_id=lid,
                    at=at,
                    source="api",
                )
        log(f"  clicks {offset + count:,}")
    counts = {}
    for writer in w.values():
        writer.close()
        counts[writer.model._meta.db_table] = writer.count
    (folder / "counts.json").write_text(json.dumps(counts))
    log(f"generated {counts}")
    return counts


def _snapshots(
    writer: Writer,
    rnd: random.Random,
    org_id: int,
    post_id: int,
    network: str,
    at: str,
    number: int,
    base: int,
) -> int:
    """One to three engagement snapshots of a connected post, figures growing (LinkedIn
    gives none; Mastodon and Bluesky give no impressions). Returns the last number used."""
    if network == "linkedin":
        return number
    published = dt.datetime.fromisoformat(at)
    views = int(rnd.lognormvariate(6.0, 1.2)) if network in ("x", "facebook", "threads") else 0
    likes = replies = reposts = quotes = 0
    for k in range(1 + rnd.randrange(3)):
        number += 1
        likes += int(rnd.expovariate(1 / 6))
        replies += int(rnd.expovariate(1 / 1.5))
        reposts += int(rnd.expovariate(1 / 2))
        quotes += int(rnd.expovariate(1 / 0.5)) if network in ("x", "bluesky", "threads") else 0
        views += int(rnd.lognormvariate(5.0, 1.0)) if views else 0
        writer.row(
            id=base + number,
            organization_id=org_id,
            post_id=post_id,
            at=(published + dt.timedelta(hours=6 * (k + 1))).isoformat(sep=" "),
            likes=likes,
            replies=replies,
            reposts=reposts,
            quotes=quotes if network in ("x", "bluesky", "threads") else None,
            impressions=views or None,
        )
    return number


def _cumulative(weights: Any) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# --------------------------------------------------------------------------- loading


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of `table` that no constraint needs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        return list(cursor.fetchall())


def read_rows(path: Path) -> Iterator[list[Any]]:
    with path.open(encoding="utf-8", buffering=1 << 20) as fh:
        for line in fh:
            yield [None if v == "\\N" else v for v in line.rstrip("\n").split("\t")]


def load(folder: Path) -> None:
    """Load every TSV file into its table; secondary indexes are dropped during the load
    and built after it."""
    from django.db import connection

    qn = connection.ops.quote_name
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA journal_mode = OFF")
    for app, name in MODELS:
        model = get_model(app, name)
        table = model._meta.db_table
        path = folder / f"{table}.tsv"
        columns = [f.column for f in model._meta.concrete_fields]
        indexes = secondary_indexes(table)
        t = time.monotonic()
        with connection.cursor() as cursor:
            for index_name, _sql in indexes:
                cursor.execute(f"DROP INDEX {qn(index_name)}")
        if vendor == "sqlite":
            sql = (
                f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            rows = read_rows(path)
            while True:
                batch = [row for _i, row in zip(range(200_000), rows, strict=False)]
                if not batch:
                    break
                raw.execute("BEGIN")
                raw.executemany(sql, batch)
                raw.execute("COMMIT")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")  # no FK triggers
                copy_sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy, path.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        copy.write(block)
                cursor.execute("SET session_replication_role = DEFAULT")
        with connection.cursor() as cursor:
            for _index_name, create in indexes:
                cursor.execute(create)
            if vendor == "postgresql":
                # Move the sequences past the loaded ids.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {qn(table)}))",
                    [table],
                )
        log(f"  loaded {table} in {time.monotonic() - t:.1f}s")
    if vendor == "sqlite":
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = NORMAL")
        raw.execute("PRAGMA foreign_keys = ON")


def build_rollups(org_id: int) -> None:

    from portevoix.analytics.rollups import rollups_rebuild

    t = time.monotonic()
    start = END_DAY - dt.timedelta(days=DAYS - 1)
    cells = rollups_rebuild(organization_id=org_id, start=start, end=END_DAY)
    log(f"  rollups rebuilt ({cells:,} fine cells) in {time.monotonic() - t:.1f}s")
    t = time.monotonic()
    analyze()
    log(f"  analyzed in {time.monotonic() - t:.1f}s")


def analyze() -> None:
    """The planner's statistics (and, on PostgreSQL, the visibility map) brought up to date,
    as after a load."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            old = connection.connection.autocommit
            connection.connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
            connection.connection.autocommit = old


def reset_analytics_tables() -> None:
    """Drop the rollup tables and migrate them again (their migration may have changed)."""
    from django.core.management import call_command
    from django.db import connection

    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("analytics_"):
                cursor.execute(f"DROP TABLE {qn(table)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'analytics'")
    call_command("migrate", verbosity=0, interactive=False)


def rollup_sizes() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.db_table: m.objects.count() for m in apps.get_app_config("analytics").get_models()
    }


# --------------------------------------------------------------------------- the org


def make_org() -> tuple[int, int]:
    """The organization and the analyst who reads its dashboards (through the ORM)."""
    from portevoix.accounts import services
    from portevoix.accounts.models import User
    from portevoix.accounts.roles import Role

    owner = User.objects.create_user("owner@bench.test", None, full_name="Owner")
    org = services.organization_create(name="Bench", owner=owner, slug="bench")
    analyst = User.objects.create_user("analyst@bench.test", None, full_name="Analyst")
    membership = services.membership_add(organization=org, user=analyst, roles=[Role.ANALYST])
    return org.pk, membership.pk


def make_ambassador(member_id: int) -> None:
    """Opt the most active generated member in, so they can read their own figures."""
    from portevoix.accounts.models import AmbassadorProfile

    AmbassadorProfile.objects.update_or_create(membership_id=member_id, defaults={"opted_in": True})


# --------------------------------------------------------------------------- timing


def queries(analyst: Any, ambassador: Any, team_id: int, campaign_id: int) -> list[tuple]:
    from portevoix.analytics import selectors as s

    def f(days: int, **kw: Any) -> Any:
        return s.Filters(END_DAY - dt.timedelta(days=days - 1), END_DAY, **kw)

    out: list[tuple[str, int, bool, Callable[[], Any]]] = []
    for days in (30, 365):
        out += [
            ("totals", days, True, lambda d=days: s.totals(membership=analyst, filters=f(d))),
        ]
        for dim in s.DIMENSIONS:
            out.append(
                (
                    f"by {dim} (top 50)",
                    days,
                    True,
                    lambda d=days, dim=dim: s.breakdown(
                        membership=analyst, filters=f(d), dimension=dim
                    ),
                )
            )
        for unit in s.UNITS:
            out.append(
                (
                    f"series by {unit}",
                    days,
                    True,
                    lambda d=days, u=unit: s.timeseries(membership=analyst, filters=f(d), unit=u),
                )
            )
        out += [
            (
                "own: totals",
                days,
                True,
                lambda d=days: s.totals(membership=ambassador, filters=f(d), own=True),
            ),
            (
                "own: series by day",
                days,
                True,
                lambda d=days: s.timeseries(
                    membership=ambassador, filters=f(d), unit="day", own=True
                ),
            ),
            (
                "own: by item",
                days,
                True,
                lambda d=days: s.breakdown(
                    membership=ambassador, filters=f(d), dimension="item", own=True
                ),
            ),
        ]
        # With a filter (not part of the target list: the dashboard's default view has none).
        out += [
            (
                "totals, team filter",
                days,
                False,
                lambda d=days: s.totals(membership=analyst, filters=f(d, team_id=team_id)),
            ),
            (
                "series by week, team filter",
                days,
                False,
                lambda d=days: s.timeseries(
                    membership=analyst, filters=f(d, team_id=team_id), unit="week"
                ),
            ),
            (
                "by ambassador, campaign filter",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst,
                    filters=f(d, campaign_id=campaign_id),
                    dimension="ambassador",
                ),
            ),
            (
                "by ambassador, network filter",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst, filters=f(d, network="linkedin"), dimension="ambassador"
                ),
            ),
            (
                "by team, campaign filter",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst, filters=f(d, campaign_id=campaign_id), dimension="team"
                ),
            ),
            (
                "by team, network filter",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst, filters=f(d, network="linkedin"), dimension="team"
                ),
            ),
            (
                "by ambassador, sorted by engagements",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst, filters=f(d), dimension="ambassador", order="engagements"
                ),
            ),
            (
                "by item, campaign filter",
                days,
                False,
                lambda d=days: s.breakdown(
                    membership=analyst, filters=f(d, campaign_id=campaign_id), dimension="item"
                ),
            ),
        ]
    return out


def time_queries(org_id: int, analyst_id: int, runs: int) -> list[dict[str, Any]]:
    from django.db import connection, reset_queries

    from portevoix.accounts.models import Membership
    from portevoix.analytics.models import MemberRollup
    from portevoix.analytics.selectors import Filters, totals
    from portevoix.content.models import Campaign

    top = (
        MemberRollup.objects.filter(organization_id=org_id, grain="m")
        .values("membership_id")
        .order_by("-shares")
        .first()
    )
    ambassador_id = top["membership_id"] if top else analyst_id
    make_ambassador(ambassador_id)
    analyst = Membership.objects.select_related("organization").get(pk=analyst_id)
    ambassador = Membership.objects.select_related("organization").get(pk=ambassador_id)
    through = Membership.teams.through
    team_id = through.objects.filter(membership__organization_id=org_id).values_list(
        "team_id", flat=True
    )[0]
    campaign_id = Campaign.objects.filter(organization_id=org_id).values_list("pk", flat=True)[0]
    results = []
    for name, days, target, call in queries(analyst, ambassador, team_id, campaign_id):
        call()  # warm-up (and the database's caches)
        times = []
        for _ in range(runs):
            reset_queries()
            t = time.perf_counter()
            call()
            times.append((time.perf_counter() - t) * 1000)
        results.append(
            {
                "query": name,
                "days": days,
                "target": target,
                "median": statistics.median(times),
                "max": max(times),
            }
        )
        median = statistics.median(times)
        log(f"  {name:32} {days:3}d  median {median:8.1f} ms  max {max(times):8.1f} ms")
    # The same figures on both databases: a checksum of the year's totals.
    year = totals(
        membership=analyst, filters=Filters(END_DAY - dt.timedelta(days=DAYS - 1), END_DAY)
    )
    results.append(
        {
            "checksum": year.as_dict()
            | {
                "conversion_value": str(year.conversion_value),
                "click_through": str(year.click_through),
                "engagement_rate": str(year.engagement_rate),
            }
        }
    )
    connection.close()
    return results


# --------------------------------------------------------------------------- child


def data_key(scale: float) -> str:
    """Changes when the generator or the raw tables' migrations change."""
    h = hashlib.sha256(f"{GENERATOR_VERSION}:{scale}".encode())
    for app in ("accounts", "content", "sharing", "publishing"):
        for path in sorted((ROOT / "portevoix" / app / "migrations").glob("0*.py")):
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def rollup_key() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "portevoix" / "analytics").glob("**/*.py")):
        if "migrations" in path.parts or path.name in {"rollups.py", "models.py"}:
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def child(args: argparse.Namespace) -> int:
    cache = Path(args.cache)
    key = data_key(args.scale)
    data_dir = cache / f"data-{key}"
    result: dict[str, Any] = {"db": args.child}
    if args.child == "sqlite":
        db_path = cache / f"sqlite-{key}.sqlite3"
        if not Path(f"{db_path}.ready").exists():  # absent or left half-built: start anew
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        setup_django("sqlite", sqlite_path=db_path)
    else:
        setup_django("postgres", pg_url=f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}")
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (k VARCHAR(40) PRIMARY KEY, v VARCHAR(200))"
        )
        cursor.execute("SELECT k, v FROM bench_meta")
        meta = dict(cursor.fetchall())
    if meta.get("data") != key:
        log(f"{args.child}: building the database (data {key})")
        call_command("migrate", verbosity=0, interactive=False)
        org_id, analyst_id = make_org()
        if not (data_dir / "counts.json").exists():
            shutil.rmtree(data_dir, ignore_errors=True)
            generate(data_dir, args.scale, org_id)
        load(data_dir)
        _meta_set(data=key, org=str(org_id), analyst=str(analyst_id), rollups="")
        meta = _meta_get()
        if args.child == "sqlite":
            Path(f"{db_path}.ready").write_text(key)
    else:
        log(f"{args.child}: reusing the cached database (data {key})")
        call_command("migrate", verbosity=0, interactive=False)
    org_id, analyst_id = int(meta["org"]), int(meta["analyst"])
    if meta.get("rollups") != rollup_key():
        log(f"{args.child}: building the rollups")
        reset_analytics_tables()
        build_rollups(org_id)
        _meta_set(rollups=rollup_key())
    result["counts"] = json.loads((data_dir / "counts.json").read_text())
    result["rollups"] = rollup_sizes()
    result["version"] = _db_version()
    log(f"{args.child}: timing ({args.runs} runs each)")
    result["load_before"] = os.getloadavg()[0]
    result["timings"] = time_queries(org_id, analyst_id, args.runs)
    result["load_after"] = os.getloadavg()[0]
    Path(args.result).write_text(json.dumps(result, default=str))
    return 0


def _meta_set(**values: str) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for k, v in values.items():
            cursor.execute("DELETE FROM bench_meta WHERE k = %s", [k])
            cursor.execute("INSERT INTO bench_meta (k, v) VALUES (%s, %s)", [k, v])


def _meta_get() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM bench_meta")
        return dict(cursor.fetchall())


def _db_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# --------------------------------------------------------------------------- parent


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        timeout=600,
    )


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    ram = "?"
    try:
        mem = Path("/proc/meminfo").read_text()
        found = re.search(r"^MemTotal:\s+(\d+) kB", mem, re.M)
        ram = f"{int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ram
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {ram} RAM, {platform.system()} {platform.release()}"


def write_results(out: Path, args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    lines = [
        "<!-- dashboards:start (written by bench/dashboard_bench.py; keep the markers) -->",
        "## Dashboards",
        "",
        f"Recorded {time.strftime('%Y-%m-%d %H:%M %Z')}. Command: `make bench` "
        f"(`{Path(sys.executable).name} bench/dashboard_bench.py --scale {args.scale} "
        f"--runs {args.runs} --dbs {args.dbs}`).",
        f"Machine: {machine()}; Python {platform.python_version()}; "
        + ", ".join(r["version"] for r in results)
        + ".",
        "",
    ]
    counts = results[0]["counts"]
    lines += [
        f"Data (scale {args.scale}): one organization; "
        f"{counts.get('accounts_membership', 0):,} ambassadors in "
        f"{counts.get('accounts_team', 0)} teams; {counts.get('content_contentitem', 0):,} items "
        f"in {counts.get('content_campaign', 0)} campaigns; "
        f"{counts.get('sharing_share', 0):,} shares; {counts.get('sharing_click', 0):,} clicks; "
        f"{counts.get('sharing_conversion', 0):,} conversions; "
        f"{counts.get('publishing_post', 0):,} posts through connected accounts with "
        f"{counts.get('publishing_engagementsnapshot', 0):,} engagement snapshots; "
        f"{DAYS} days ending {END_DAY}.",
        "Rollup rows: "
        + "; ".join(
            f"{r['db']}: " + ", ".join(f"{t} {c:,}" for t, c in r["rollups"].items())
            for r in results
        )
        + ".",
        "Load average (1 min) around the timings: "
        + "; ".join(
            f"{r['db']}: {r.get('load_before', float('nan')):.1f} before, "
            f"{r.get('load_after', float('nan')):.1f} after"
            for r in results
        )
        + " (about 1 is this benchmark alone on this machine; more means other work shared "
        "the cores and the times are pessimistic).",
        "",
        "Each query is a selector call as the dashboard makes it (SQL + Python, labels "
        "included), warm, timed "
        f"{args.runs} times after one warm-up. Ranges end on the last day of the data. "
        f"Target: each under {TARGET_MS:.0f} ms. Rows in *italics* use a filter: they are "
        "reported, not part of the target list.",
        "",
    ]
    header = "| query | range |"
    rule = "|---|---:|"
    for r in results:
        header += f" {r['db']} median ms | {r['db']} max ms |"
        rule += "---:|---:|"
    header += " under 200 ms |"
    rule += ":-:|"
    lines += [header, rule]
    timings = [{(t["query"], t["days"]): t for t in r["timings"] if "query" in t} for r in results]
    all_ok = True
    for key in timings[0]:
        t0 = timings[0][key]
        name = t0["query"] if t0["target"] else f"*{t0['query']}*"
        row = f"| {name} | {key[1]} days |"
        ok = True
        for per_db in timings:
            t = per_db.get(key)
            if t is None:
                row += " - | - |"
                continue
            row += f" {t['median']:.1f} | {t['max']:.1f} |"
            ok = ok and t["median"] < TARGET_MS
        if t0["target"]:
            all_ok = all_ok and ok
        row += f" {'yes' if ok else 'NO'} |"
        lines.append(row)
    checks = [next(t["checksum"] for t in r["timings"] if "checksum" in t) for r in results]
    same = all(c == checks[0] for c in checks)
    lines += [
        "",
        f"Every target query under {TARGET_MS:.0f} ms (median) on every database: "
        f"**{'yes' if all_ok else 'no'}**. "
        f"Year totals identical on every database: {'yes' if same else 'NO'} "
        f"({checks[0]['shares']:,} shares, {checks[0]['clicks']:,} clicks, "
        f"potential reach {checks[0]['potential_reach']:,}, "
        f"{checks[0]['engagements'] or 0:,} engagements).",
        "",
        "<!-- dashboards:end -->",
    ]
    section = "\n".join(lines)
    text = out.read_text() if out.exists() else "# Benchmark results\n"
    pattern = re.compile(r"<!-- dashboards:start.*?<!-- dashboards:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text)
    return section


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    ap.add_argument("--dbs", default=os.environ.get("BENCH_DBS", "sqlite,postgres"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "7")))
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", "/tmp/portevoix-bench"))
    ap.add_argument("--keep-pg", action="store_true", help="keep the `bench` database")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not str(Path(args.cache).resolve()).startswith("/tmp/"):
        ap.error("--cache must be inside /tmp")
    if args.child:
        return child(args)

    Path(args.cache).mkdir(parents=True, exist_ok=True)
    results = []
    for db in [d.strip() for d in args.dbs.split(",") if d.strip()]:
        if db not in {"sqlite", "postgres"}:
            ap.error(f"unknown database {db!r}")
        result_path = Path(args.cache) / f"result-{db}.json"
        result_path.unlink(missing_ok=True)
        if db == "postgres":
            keep = args.keep_pg and _pg_exists()
            if not keep:
                psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
                psql(f"CREATE DATABASE {PG_BENCH_DB}")
        log(f"== {db}")
        argv = [
            sys.executable,
            __file__,
            "--child",
            db,
            "--result",
            str(result_path),
            "--scale",
            str(args.scale),
            "--runs",
            str(args.runs),
            "--cache",
            args.cache,
        ]
        try:
            subprocess.run(argv, check=True, timeout=CHILD_TIMEOUT_S, cwd=ROOT)
        finally:
            if db == "postgres" and not args.keep_pg:
                psql(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        results.append(json.loads(result_path.read_text()))
    section = write_results(Path(args.out), args, results)
    print(section)
    return 0


def _pg_exists() -> bool:
    found = subprocess.run(
        [
            "psql",
            PG_ADMIN_URL,
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{PG_BENCH_DB}'",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return found.stdout.strip() == "1"


if __name__ == "__main__":
    sys.exit(main())
