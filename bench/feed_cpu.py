"""CPU time and queries of the feed page, one request at a time (no HTTP server, no
concurrency): what a page costs the server whatever else runs on the machine.

    .venv/bin/python bench/feed_cpu.py [--scale 1] [--size big|small] [--db sqlite|postgres]
        [--scenario feed|workspace] [--requests 200] [--url NAME=PATH ...] [--profile NAME]

Uses the database and the 16 sessions that `bench/feed_bench.py` (or `workspace_bench.py`:
`--scenario workspace`) built and left in its last run (run it once first, e.g. `--no-load`;
PostgreSQL needs its `--keep-pg`); `--size big` for its `--scale`, `small` for its
`--small-scale`. The requests rotate
over the 16 sessions as the load test does; per URL: the median and p95 of the process CPU
time per request (time.process_time: SQLite runs inside it, PostgreSQL's own CPU does not),
the wall time, and the queries of one request (after a first one per session that fills the
caches).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--url", action="append", default=[])
    ap.add_argument("--sql", action="store_true", help="print the queries of one request")
    ap.add_argument("--profile", default="", help="cProfile this URL name (top 30 by tottime)")
    ap.add_argument("--profile-out", default="", help="also write the profile to this file")
    ap.add_argument("--scenario", default="feed", help="feed or workspace (as feed_bench.py)")
    ap.add_argument(
        "--size", choices=["big", "small"], default="",
        help="which of feed_bench.py's two databases --scale is (default: big from 0.5 up)",
    )  # fmt: skip
    args = ap.parse_args()
    import feed_bench

    feed_bench.use_scenario(args.scenario)
    size = args.size or ("big" if args.scale >= 0.5 else "small")
    os.environ.update(feed_bench.db_env(args.db, size, args.scale))
    result = json.loads(feed_bench.result_path(args.db, size).read_text())
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    urls = dict(u.split("=", 1) for u in args.url) if args.url else result["urls"]
    clients = []
    for session in result["sessions"]:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        clients.append(client)
    print(f"{args.db} scale {args.scale}: {len(clients)} sessions, {args.requests} requests/URL")
    for name, url in urls.items():
        for client in clients:  # the first request of each session fills the caches
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            body = clients[0].get(url).content
        queries = len(captured.captured_queries)  # now: the next connection clears the log
        if args.sql:
            for query in captured.captured_queries:
                print("   ", query["sql"][:160])
        cpu, wall = [], []
        prof = None
        if args.profile == name:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        for n in range(args.requests):
            client = clients[n % len(clients)]
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            assert response.status_code == 200
        if prof is not None:
            prof.disable()
            import pstats

            if args.profile_out:
                prof.dump_stats(args.profile_out)
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            pstats.Stats(prof).sort_stats("cumulative").print_stats("portevoix|django/forms", 40)
        cpu.sort()
        wall.sort()
        p95 = int(len(cpu) * 0.95) - 1
        print(
            f"{name:10} {url:45} queries {queries:3}  "
            f"cards {body.count(b'<article'):2}  bytes {len(body):7,}  "
            f"CPU ms median {statistics.median(cpu):6.2f} "
            f"p95 {cpu[p95]:6.2f} mean {statistics.mean(cpu):6.2f}  "
            f"wall ms median {statistics.median(wall):6.2f} p95 {wall[p95]:6.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
