"""Benchmark of the share of voice page on its rollup (decision 0028).

    DATABASE_URL=... .venv/bin/python bench/voice_bench.py [--days 730] [--runs 7]

The page reads `VoiceDay` only, never the mentions: its cost depends on the number of
cells (monitors x days x networks x sentiments), not on the number of mentions. This fills
one organization's rollup as 10,000,000 mentions over two years would: 10 monitors (the
brand, 5 competitors, 4 others), 6 networks, 4 sentiments, every day of `--days` (730:
175,200 cells, their counts summing to 10,000,000), plus 20 other organizations with the
same cells (3.5 million rows in the table), then times the selector for 7, 30 and 90 days
(per day and per week) and the whole page (rendered, logged in), `--runs` times each after a
warm-up, and prints the medians. Without DATABASE_URL it uses a fresh SQLite file under
/tmp; with one, the database is migrated and the organizations it creates are left there
(use a throwaway database).
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def monitor_categories() -> list[str]:
    """The share of voice's monitors: the brand, 5 competitors, 4 trends (also the inbox
    benchmark's)."""
    from portevoix.listening.models import MonitorCategory

    return [MonitorCategory.BRAND] + [MonitorCategory.COMPETITOR] * 5 + [MonitorCategory.TREND] * 4


def make_monitors(org: Any, now: dt.datetime) -> list[Any]:
    """One monitor of `org` per category of `monitor_categories`, terms t0, t1..."""
    from portevoix.listening.models import Monitor

    return [
        Monitor.objects.create(
            organization=org,
            name=f"M{i}",
            category=category,
            terms=[f"t{i}"],
            created_at=now,
            updated_at=now,
        )
        for i, category in enumerate(monitor_categories())
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--others", type=int, default=20, help="other organizations")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = Path("/tmp/portevoix-voice-bench.sqlite3")
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from portevoix.accounts.roles import Role
    from portevoix.core import clock
    from portevoix.listening import selectors_voice
    from portevoix.listening.models import VoiceDay
    from tests import factories

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    end = dt.date(2026, 3, 20)
    networks = ["bluesky", "mastodon", "rss", "hackernews", "reddit", "x"]
    sentiments = ["positive", "neutral", "negative", ""]
    categories = monitor_categories()
    cells_per_org = len(categories) * args.days * len(networks) * len(sentiments)
    per_cell = max(1, 10_000_000 // cells_per_org)
    stamp = int(time.time())
    # the factories number their users from 1: start past a previous run's in the same database
    factories._seq = itertools.count(stamp * 100)
    target = None
    started = time.monotonic()
    for n in range(args.others + 1):
        org = factories.make_org(f"Bench {stamp} {n}")
        now = clock.now()
        monitors = make_monitors(org, now)
        rows = [
            VoiceDay(
                organization=org,
                monitor=monitor,
                day=end - dt.timedelta(days=d),
                network=network,
                sentiment=sentiment,
                mentions=per_cell + (d + i) % 7,
            )
            for i, monitor in enumerate(monitors)
            for d in range(args.days)
            for network in networks
            for sentiment in sentiments
        ]
        VoiceDay.objects.bulk_create(rows, batch_size=5000)
        if target is None:
            target = org
        print(f"  organization {n + 1}/{args.others + 1} loaded", flush=True)
    assert target is not None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE listening_voiceday")
    total = VoiceDay.objects.filter(organization=target).count()
    mentions = sum(VoiceDay.objects.filter(organization=target).values_list("mentions", flat=True))
    print(
        f"loaded in {time.monotonic() - started:.0f} s: {VoiceDay.objects.count():,} cells, "
        f"the organization measured {total:,} cells = {mentions:,} mentions",
        flush=True,
    )
    cm = factories.make_member(target, Role.COMMUNITY_MANAGER, email=f"cm{stamp}@bench.test")

    def timed(fn: object) -> float:
        samples = []
        fn()  # type: ignore[operator]
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            samples.append((time.perf_counter() - t) * 1000)
        return statistics.median(samples)

    for days in (7, 30, 90):
        for unit in ("day", "week"):
            ms = timed(
                lambda d=days, u=unit: selectors_voice.share_of_voice(
                    membership=cm, days=d, unit=u, today=end
                )
            )
            print(f"selector, last {days} days per {unit}: {ms:.1f} ms (median)")
    client = Client()
    client.force_login(cm.user)
    url = reverse("listening:voice")
    clock.now = lambda: dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)  # type: ignore[method-assign]
    for days in (30, 90):
        ms = timed(lambda d=days: client.get(url, {"days": str(d)}))
        status = client.get(url, {"days": str(days)}).status_code
        print(f"page (HTTP {status}), last {days} days per day: {ms:.1f} ms (median)")


if __name__ == "__main__":
    main()
