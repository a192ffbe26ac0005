"""Benchmark of the social media team's pages (issue 11): the library (all items, filtered,
sorted), the approvals queue, the calendar's month and analytics, for 16 logged-in team
members at once against the default `make run` server, on SQLite and PostgreSQL, in an
organization of 100,000 members, 20,000 items and 1,000,000 shares. Target: p95 under
100 ms and a constant number of queries per page.

    .venv/bin/python bench/workspace_bench.py [the options of bench/feed_bench.py]

The data, the load (wrk) and the report are those of `bench/feed_bench.py --scenario
workspace` (its docstring explains each step); this writes the "social media team's pages"
section of bench/RESULTS.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feed_bench

if __name__ == "__main__":
    if not any(a.startswith("--scenario") for a in sys.argv[1:]):
        sys.argv[1:1] = ["--scenario", "workspace"]
    sys.exit(feed_bench.main())
