"""The listening benchmark (bench/listening_bench.py) at a tiny scale: the replay's events
decode and match, the fast reader gives the guardrails' reading on every text, and the report
is written between its markers. Keeps `make bench` from rotting."""

from __future__ import annotations

import argparse

import pytest

from bench import listening_bench

pytestmark = pytest.mark.slow  # a benchmark's smoke test: the slow tier


def test_the_listening_benchmark_measures_and_reports(tmp_path):
    args = argparse.Namespace(duration=0.5, posts=400, rounds=1, out=str(tmp_path / "R.md"))
    result = listening_bench.measure(args)
    assert result["posts"] == 400 and result["terms"] == 5000
    assert result["mismatches"] == 0  # the fast reader is the guardrails' reader
    assert 0 < result["hits"] < 400  # about one post in twenty names a watched term
    assert result["fast"] > 0 and result["slow"] > 0
    assert result["samples"] and result["rss_last"] > 0
    result["load"] = (0.0, 0.0)
    out = tmp_path / "R.md"
    out.write_text("# Benchmark results\n\nkept\n")
    section = listening_bench.write_results(out, args, result)
    text = out.read_text()
    assert "kept" in text and section in text
    assert text.count("<!-- listening-bench:start") == 1
    assert "decode + match (the worker's path)" in section
    listening_bench.write_results(out, args, result)  # again: replaced, not appended
    assert out.read_text().count("<!-- listening-bench:start") == 1
