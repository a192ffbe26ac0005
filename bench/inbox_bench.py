"""Benchmark of the vigilance inbox at 10,000,000 stored mentions (issue 14, "Speed").

    DATABASE_URL=... .venv/bin/python bench/inbox_bench.py [--mentions 10000000] [--runs 7]
        [--measure-only]

Fills one organization with `--mentions` mentions over 90 days (its retention), 10 monitors
(the brand, 5 competitors, 4 trends; each mention matches one, one in ten matches two),
4 networks, 4 sentiments, 80 % still new; then rebuilds the share of voice rollup from them,
and times, `--runs` times after a warm-up, the selectors the inbox page calls (the page of 50
mentions with each filter, a page deep in the past through the keyset cursor, the monitors
with this week's counts, the networks), the whole inbox page and the share of voice page
(30 and 90 days), logged in as a community manager, and prints the medians. Target: under
100 ms. `--measure-only` measures again the organization a previous run left in the
database (the same SQLITE_PATH or DATABASE_URL), loading nothing. BENCH_SCALE=0.01 (as for
`make bench`'s other benchmarks) loads 100,000 mentions instead of 10,000,000.

Loading: the secondary indexes and the unique and foreign key constraints of the mentions and
their monitor links are dropped, the rows loaded in batches of 100,000 (PostgreSQL: COPY
through psycopg's `cursor.copy`; SQLite: executemany in one transaction a batch, with
journal_mode=OFF and synchronous=OFF during the load only), then the indexes and constraints
are made again from their own definitions, read from the catalog before dropping them, and
checked identical: the page is measured on the indexes the migrations create.

Without DATABASE_URL it uses a fresh SQLite file (SQLITE_PATH, by default under /tmp) opened
as `make run` opens its database (settings.py: WAL, synchronous NORMAL; DEBUG=1); with one,
the database is migrated and the organization it creates is left there (use a throwaway
database: its two tables lose their indexes during the load).
"""

# A local benchmark: fixed paths under /tmp.
# ruff: noqa: S108

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import voice_bench

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 100_000

MENTION_COLUMNS = (
    "id, organization_id, key, network, url, text, author, language, published_at, found_at, "
    "status, sentiment, sentiment_score"
)
LINK_COLUMNS = "mention_id, monitor_id"
NETWORKS = ["bluesky", "mastodon", "rss", "hackernews"]
SENTIMENTS = ["positive", "neutral", "negative", ""]
SPAN = 90 * 24 * 3600


def generate(
    org_id: int,
    monitor_ids: list[int],
    stamp: int,
    now: dt.datetime,
    first_id: int,
    start: int,
    stop: int,
    vendor: str,
) -> tuple[list[tuple[object, ...]], list[tuple[int, int]]]:
    """Mentions `start` to `stop` and their monitor links: the n-th mention is at a spread
    time of the last 90 days, matches monitor n % 10 (one in ten also n + 3's), 80 % new,
    half French. Times as each database's Django backend writes them (SQLite: naive UTC
    text; PostgreSQL: timestamptz)."""
    rows: list[tuple[object, ...]] = []
    links: list[tuple[int, int]] = []
    naive = now.replace(tzinfo=None)
    for n in range(start, stop):
        moment = naive - dt.timedelta(seconds=(n * 7919) % SPAN)
        when = f"{moment}+00:00" if vendor == "postgresql" else str(moment)
        status = "new" if n % 5 else ("handled" if n % 10 else "ignored")
        pk = first_id + n
        rows.append(
            (
                pk,
                org_id,
                f"{stamp:x}{n:016x}",
                NETWORKS[n % 4],
                f"https://example.org/p/{n}",
                f"Mention {n} of t{n % 10}: a post of ordinary length about the brand.",
                f"author{n % 5000}",
                "fr" if n % 2 else "en",
                when,
                when,
                status,
                SENTIMENTS[(n // 4) % 4],
                None,
            )
        )
        links.append((pk, monitor_ids[n % 10]))
        if n % 10 == 0:
            links.append((pk, monitor_ids[(n + 3) % 10]))
    return rows, links


def insert_rows(connection: Any, table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    """SQLite: one transaction per batch, executemany on the driver's own cursor."""
    marks = ", ".join("?" * len(rows[0]))
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN")
    raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    raw.execute("COMMIT")


def copy_rows(connection: Any, table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    """PostgreSQL: COPY FROM STDIN through psycopg's `cursor.copy`, one transaction a batch."""
    from django.db import transaction

    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


class Schema:
    """The secondary indexes and the unique and foreign key constraints of some tables:
    dropped before a bulk load, made again after it from their own SQL (the catalog's)."""

    def __init__(self, connection: Any, tables: list[str]) -> None:
        self.connection = connection
        self.tables = tables
        self.saved: list[tuple[str, str, str, str]] = []  # (kind, table, name, definition)

    def definitions(self) -> list[tuple[str, str, str, str]]:
        found: list[tuple[str, str, str, str]] = []
        with self.connection.cursor() as cursor:
            for table in self.tables:
                if self.connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')"
                        " ORDER BY conname",
                        [table],
                    )
                    found += [("constraint", table, n, d) for n, d in cursor.fetchall()]
                    cursor.execute(
                        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                        " WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                        " WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))"
                        " ORDER BY i.indexname",
                        [table],
                    )
                    found += [("index", table, n, d) for n, d in cursor.fetchall()]
                else:
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                        " AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                        [table],
                    )
                    found += [("index", table, n, d) for n, d in cursor.fetchall()]
        return found

    def drop(self) -> None:
        self.saved = self.definitions()
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # the foreign keys first (the link table's point at the mentions' key)
                for kind, table, name, _d in sorted(
                    self.saved, key=lambda s: "FOREIGN" not in s[3]
                ):
                    if kind == "constraint":
                        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    else:
                        cursor.execute(f'DROP INDEX "{name}"')
                # a load session's settings only: one backend, memory for the sorts
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute("SET max_parallel_maintenance_workers = 0")
            else:
                for _kind, _table, name, _d in self.saved:
                    cursor.execute(f'DROP INDEX "{name}"')
                # the load only: no rollback journal, no fsync, a large page cache
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -524288")

    def restore(self) -> None:
        with self.connection.cursor() as cursor:
            # indexes first, then the unique constraints, then the foreign keys
            order = {"index": 0, "constraint": 1}
            for kind, table, name, definition in sorted(
                self.saved, key=lambda s: (order[s[0]], "FOREIGN" in s[3])
            ):
                if kind == "constraint":
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                else:
                    cursor.execute(definition)

    def finish(self) -> None:
        """Back to the settings of `make run` (SQLite: WAL, synchronous NORMAL) and of a
        fresh connection for the measures."""
        if self.connection.vendor == "sqlite":
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        self.connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    # BENCH_SCALE (as `make bench`'s other benchmarks): 0.01 for a quick run of 100,000
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    parser.add_argument("--mentions", type=int, default=int(10_000_000 * scale))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the organization a previous run loaded in this database, load nothing",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") and args.measure_only:
        os.environ.setdefault("SQLITE_PATH", "/tmp/portevoix-inbox-bench.sqlite3")
    elif not os.environ.get("DATABASE_URL"):
        # the database of `make run`: SQLite as settings.py opens it (WAL, synchronous NORMAL)
        path = Path(os.environ.get("SQLITE_PATH", "/tmp/portevoix-inbox-bench.sqlite3"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from portevoix.accounts.models import Organization
    from portevoix.core import clock
    from portevoix.listening.models import Mention, Monitor
    from tests import factories

    # share of voice: the brand, 5 competitors, 4 trends (bench/voice_bench.py's)
    categories = voice_bench.monitor_categories()
    stamp = int(time.time())
    factories._seq = itertools.count(stamp * 100)
    if args.measure_only:
        org = Organization.objects.filter(name__startswith="Inbox bench ").latest("pk")
        print(f"database: {connection.vendor}; measuring {org.name}", flush=True)
        ids = list(
            Monitor.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)
        )
        for pk, category in zip(ids, categories, strict=True):
            Monitor.objects.filter(pk=pk).update(category=category)
        measure(args, org, ids)
        return
    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    org = factories.make_org(f"Inbox bench {stamp}")
    now = clock.now()
    monitors = voice_bench.make_monitors(org, now)
    ids = [m.pk for m in monitors]
    mention_table = Mention._meta.db_table
    link_table = Mention.monitors.through._meta.db_table
    vendor = connection.vendor
    now = now.replace(microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {mention_table}")  # noqa: S608
        first_id = cursor.fetchone()[0] + 1
    started = time.monotonic()
    timings: dict[str, float] = {}
    # The secondary indexes and constraints of the two tables are dropped for the load and
    # made again after it from their own definitions as the migrations created them (read
    # from the catalog); the page is then measured on exactly those (checked below).
    schema = Schema(connection, [mention_table, link_table])
    before = schema.definitions()
    schema.drop()
    t0 = time.monotonic()
    load = copy_rows if vendor == "postgresql" else insert_rows
    loaded = 0
    for start in range(0, args.mentions, BATCH):
        stop = min(start + BATCH, args.mentions)
        rows, links = generate(org.pk, ids, stamp, now, first_id, start, stop, vendor)
        load(connection, mention_table, MENTION_COLUMNS, rows)
        load(connection, link_table, LINK_COLUMNS, links)
        loaded += len(links)
        if (start // BATCH) % 10 == 0 or stop == args.mentions:
            print(f"  {stop:,} mentions ({time.monotonic() - t0:.0f} s)", flush=True)
    timings["rows"] = time.monotonic() - t0
    t0 = time.monotonic()
    schema.restore()
    timings["indexes"] = time.monotonic() - t0
    after = schema.definitions()
    assert after == before, (before, after)  # the same indexes and constraints as migrated
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"ANALYZE {mention_table}")
            cursor.execute(f"ANALYZE {link_table}")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{mention_table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {mention_table}))"
            )
        else:
            cursor.execute("ANALYZE")
    timings["analyze"] = time.monotonic() - t0
    schema.finish()
    print(
        f"loaded {args.mentions:,} mentions and {loaded:,} monitor links in"
        f" {time.monotonic() - started:.0f} s (rows {timings['rows']:.0f} s, indexes and"
        f" constraints {timings['indexes']:.0f} s, analyze {timings['analyze']:.0f} s);"
        f" {len(after)} indexes and constraints as migrated",
        flush=True,
    )
    # The share of voice rollup, which ingest keeps one mention at a time (decision 0028).
    t0 = time.monotonic()
    call_command("listening_voice_rebuild", days=91, organization=org.pk, verbosity=0)
    print(f"share of voice rollup rebuilt in {time.monotonic() - t0:.0f} s", flush=True)
    measure(args, org, ids)


def measure(args: argparse.Namespace, org: Any, ids: list[int]) -> None:
    """Time the inbox's selectors and page, and the share of voice page, for a new
    community manager of `org` (whose monitors are `ids`)."""
    from django.test import Client
    from django.urls import reverse

    from portevoix.accounts.roles import Role
    from portevoix.core import clock
    from portevoix.listening import selectors
    from portevoix.listening.models import Mention
    from tests import factories

    now = clock.now()
    stamp = int(time.time())
    total = Mention.objects.filter(organization=org).count()
    print(f"counted {total:,} mentions of the organization", flush=True)
    cm = factories.make_member(org, Role.COMMUNITY_MANAGER, email=f"cm{stamp}@bench.test")

    def timed(fn: Callable[[], object]) -> float:
        fn()
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t) * 1000)
        return statistics.median(samples)

    offset = min(50_000, total - 1)  # page 1,000 of 50
    deep_rows = selectors.inbox_rows(membership=cm, filters=selectors.InboxFilters(status=""))
    deep = next(iter(deep_rows.values_list("published_at", "pk")[offset : offset + 1]))
    cases: list[tuple[str, selectors.InboxFilters]] = [
        ("new, all monitors", selectors.InboxFilters()),
        ("any status", selectors.InboxFilters(status="")),
        ("one monitor", selectors.InboxFilters(monitor_id=ids[3])),
        ("network + sentiment", selectors.InboxFilters(network="rss", sentiment="negative")),
        (
            "language + last 7 days",
            selectors.InboxFilters(
                language="fr", since=(now - dt.timedelta(days=7)).date(), until=now.date()
            ),
        ),
        ("50,000 mentions back (keyset cursor)", selectors.InboxFilters(status="", before=deep)),
    ]
    for label, filters in cases:
        ms = timed(lambda f=filters: selectors.inbox_page(membership=cm, filters=f))
        print(f"inbox page, {label}: {ms:.1f} ms (median)")
    ms = timed(lambda: selectors.monitors(membership=cm))
    print(f"monitors with this week's counts: {ms:.1f} ms (median)")
    ms = timed(lambda: selectors.networks(membership=cm))
    print(f"networks: {ms:.1f} ms (median)")
    client = Client()
    client.force_login(cm.user)
    url = reverse("listening:inbox")
    assert client.get(url).status_code == 200
    ms = timed(lambda: client.get(url))
    print(f"whole page (rendered): {ms:.1f} ms (median)")
    voice = reverse("listening:voice")
    for days in (30, 90):
        status = client.get(voice, {"days": str(days)}).status_code
        assert status == 200, status
        ms = timed(lambda d=days: client.get(voice, {"days": str(d)}))
        print(
            f"share of voice page (HTTP {status}), last {days} days per day: {ms:.1f} ms (median)"
        )


if __name__ == "__main__":
    main()
