"""The vigilance inbox benchmark (bench/inbox_bench.py) at a tiny scale, in a subprocess: the
load drops the two tables' secondary indexes and constraints, loads the rows (SQLite:
executemany; PostgreSQL: COPY), makes them again and checks them identical to the migrated
ones, then the page is measured. On SQLite always (a file under tmp_path, as `make run`
opens it); on PostgreSQL too when the tests run on it (a database of its own, dropped after).
Keeps `make bench` from rotting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow  # a benchmark's smoke test: the slow tier

ROOT = Path(__file__).resolve().parents[2]
MENTIONS = 3000


def _run(env: dict[str, str]) -> str:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "inbox_bench.py"),
            "--mentions",
            str(MENTIONS),
            "--runs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _check(out: str) -> None:
    # 3,000 mentions, one in ten matching two monitors: 3,300 links
    assert f"loaded {MENTIONS:,} mentions and 3,300 monitor links" in out
    assert "indexes and constraints as migrated" in out  # checked identical after the load
    assert f"counted {MENTIONS:,} mentions of the organization" in out
    assert "share of voice rollup rebuilt" in out
    for label in ("inbox page, one monitor", "monitors with this week's counts", "whole page"):
        assert label in out


def test_the_inbox_benchmark_runs_on_sqlite_and_on_postgresql(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SQLITE_PATH"] = str(tmp_path / "inbox.sqlite3")
    _check(_run(env))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):  # the PostgreSQL job's run
        _on_postgresql(url)


def _on_postgresql(url: str) -> None:
    """A database of its own, migrated by the script, loaded and measured, then dropped. (A
    copy of the worker's migrated test database would save the migrations, but PostgreSQL
    copies a template only when no other session uses it, which another test's thread may.)"""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'portevoix'}_inbox_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")))
        _check(_run(env))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
