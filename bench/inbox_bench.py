"""Benchmark of the vigilance inbox at 10,000,000 stored mentions (issue 14, "Speed").

    DATABASE_URL=... .venv/bin/python bench/inbox_bench.py [--mentions 10000000] [--runs 7]

Fills one organization with `--mentions` mentions over 90 days (its retention), 10 monitors
(each mention matches one, one in ten matches two), 4 networks, 4 sentiments, 80 % still new,
inserted by SQL in batches (the mentions and their monitor links); then times, `--runs` times
after a warm-up, the selectors the inbox page calls (the page of 50 mentions with each
filter, a page deep in the past through the keyset cursor, the monitors with this week's
counts, the networks) and the whole page, logged in as a community manager, and prints
the medians. Target: under 100 ms. Without DATABASE_URL it uses a fresh SQLite file under
/tmp; with one, the database is migrated and the organization it creates is left there (use
a throwaway database).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = Path("/tmp/portevoix-inbox-bench.sqlite3")
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from portevoix.accounts.roles import Role
    from portevoix.core import clock
    from portevoix.listening import selectors
    from portevoix.listening.models import Mention, Monitor
    from tests import factories

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    stamp = int(time.time())
    factories._seq = itertools.count(stamp * 100)
    org = factories.make_org(f"Inbox bench {stamp}")
    now = clock.now()
    monitors = [
        Monitor.objects.create(
            organization=org, name=f"M{i}", terms=[f"t{i}"], created_at=now, updated_at=now
        )
        for i in range(10)
    ]
    ids = [m.pk for m in monitors]
    networks = ["bluesky", "mastodon", "rss", "hackernews"]
    sentiments = ["positive", "neutral", "negative", ""]
    span = 90 * 24 * 3600
    mention_table = Mention._meta.db_table
    link_table = Mention.monitors.through._meta.db_table
    columns = (
        "organization_id, key, network, url, text, author, language, published_at, found_at, "
        "status, sentiment, sentiment_score"
    )
    marks = ", ".join(["%s"] * 12)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {mention_table}")  # noqa: S608
        first_id = cursor.fetchone()[0] + 1
    for start in range(0, args.mentions, BATCH):
        rows, links = [], []
        for n in range(start, min(start + BATCH, args.mentions)):
            when = now - dt.timedelta(seconds=(n * 7919) % span)
            status = "new" if n % 5 else ("handled" if n % 10 else "ignored")
            rows.append(
                (
                    org.pk,
                    f"{stamp:x}{n:016x}",
                    networks[n % 4],
                    f"https://example.org/p/{n}",
                    f"Mention {n} of t{n % 10}: a post of ordinary length about the brand.",
                    f"author{n % 5000}",
                    "fr" if n % 2 else "en",
                    when,
                    when,
                    status,
                    sentiments[(n // 4) % 4],
                    None,
                )
            )
            links.append((first_id + n, ids[n % 10]))
            if n % 10 == 0:
                links.append((first_id + n, ids[(n + 3) % 10]))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {mention_table} (id, {columns}) VALUES (%s, {marks})",  # noqa: S608
                [(first_id + start + i, *row) for i, row in enumerate(rows)],
            )
            cursor.executemany(
                f"INSERT INTO {link_table} (mention_id, monitor_id) VALUES (%s, %s)",  # noqa: S608
                links,
            )
        if (start // BATCH) % 50 == 0:
            print(f"  {start + len(rows):,} mentions", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {mention_table}" if connection.vendor != "sqlite" else "ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {link_table}")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{mention_table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {mention_table}))"
            )
    total = Mention.objects.filter(organization=org).count()
    print(f"loaded {total:,} mentions in {time.monotonic() - started:.0f} s", flush=True)
    # The share of voice rollup, which ingest keeps one mention at a time (decision 0028).
    t0 = time.monotonic()
    call_command("listening_voice_rebuild", days=91, organization=org.pk, verbosity=0)
    print(f"share of voice rollup rebuilt in {time.monotonic() - t0:.0f} s", flush=True)
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


if __name__ == "__main__":
    main()
