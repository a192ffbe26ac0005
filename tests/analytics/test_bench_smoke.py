"""`make bench` works: the dashboard benchmark at a tiny scale, on SQLite only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_dashboard_bench_runs_at_a_tiny_scale(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n## Another benchmark\n\nkept\n")
    cache = tmp_path / "cache"  # pytest's tmp_path is under /tmp, as the bench requires
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "dashboard_bench.py"),
            "--scale",
            "0.0005",
            "--dbs",
            "sqlite",
            "--runs",
            "1",
            "--out",
            str(out),
            "--cache",
            str(cache),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    text = out.read_text()
    assert "## Another benchmark\n\nkept" in text  # other sections are kept
    assert "## Dashboards" in text
    for query in ("totals", "by ambassador (top 50)", "series by week", "own: totals"):
        assert f"| {query} | 30 days |" in text
        assert f"| {query} | 365 days |" in text
    assert "Year totals identical on every database: yes" in text
