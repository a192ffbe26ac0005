"""The listening benchmark (bench/listening_bench.py) at a tiny scale: the replay's firehose
frames decode through the stream worker's own `bluesky.decode` to the replay's posts, they
and the Jetstream events match the same posts, the fast reader gives the guardrails' reading
on every text, and the report is written between its markers. Keeps `make bench` from
rotting."""

from __future__ import annotations

import argparse
import json
import random

import pytest

from bench import listening_bench
from portevoix.listening import bluesky

pytestmark = pytest.mark.slow  # a benchmark's smoke test: the slow tier


def test_the_listening_benchmark_measures_and_reports(tmp_path):
    args = argparse.Namespace(duration=0.5, posts=400, rounds=1, out=str(tmp_path / "R.md"))
    result = listening_bench.measure(args)
    assert result["posts"] == 400 and result["terms"] == 5000
    assert result["mismatches"] == 0  # the fast reader is the guardrails' reader
    assert 0 < result["hits"] < 400  # about one post in twenty names a watched term
    assert result["fast"] > 0 and result["slow"] > 0
    # the firehose frames: one post each, decoded by the worker's own function, same matches
    assert result["firehose_posts"] == 400
    assert result["firehose_hits"] == result["hits"]
    assert result["firehose"] > 0 and result["firehose_decode"] > 0 and result["match_only"] > 0
    assert result["frame_bytes"] > 922  # bigger than the recorded one-record repository's
    assert result["samples"] and result["rss_last"] > 0
    result["load"] = (0.0, 0.0)
    out = tmp_path / "R.md"
    out.write_text("# Benchmark results\n\nkept\n")
    section = listening_bench.write_results(out, args, result)
    text = out.read_text()
    assert "kept" in text and section in text
    assert text.count("<!-- listening-bench:start") == 1
    assert "firehose decode + match (the stream worker's path)" in section
    listening_bench.write_results(out, args, result)  # again: replaced, not appended
    assert out.read_text().count("<!-- listening-bench:start") == 1


def test_the_firehose_frames_decode_as_the_recorded_frame_does():
    """A frame built by the benchmark decodes to the post it was built from, with the same
    fields as the recorded PDS frame's (tests/listening/bluesky_frames.json)."""

    rng = random.Random(3)
    events = listening_bench.replay(rng, 20, listening_bench.monitors(rng, count=5))
    frames = listening_bench.firehose_frames(rng, events)
    for line, raw in zip(events, frames, strict=True):
        event = json.loads(line)
        record = event["commit"]["record"]
        decoded = bluesky.decode(raw)
        assert decoded.seq is not None and decoded.seq >= 100_000_000
        [post] = decoded.posts
        assert post.text == " ".join(record["text"].split())
        assert post.language == record["langs"][0]
        assert post.did == event["did"] and post.uri.startswith(f"at://{event['did']}/")
        assert post.created_at is not None
