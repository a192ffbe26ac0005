"""The digest benchmark (bench/digest_bench.py) at a tiny scale, in the test database: its
bulk-built ambassadors, the preparing run, the SMTP sample and the report. Keeps
`make bench` from rotting."""

from __future__ import annotations

import argparse

import pytest

from bench import digest_bench
from portevoix.notifications.models_mail import DeliveryState, EmailDelivery

# Starts an SMTP server (a thread on 127.0.0.1): the `slow` tier.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_digest_benchmark_prepares_sends_and_reports(tmp_path):
    result = digest_bench.measure(members=30, sample=10)
    assert result["built"]["members"] == 30
    assert result["prepared"]["sent"] == 30  # every ambassador has something new
    assert result["mime"]["sent"] >= 10 and result["mime"]["bytes"] > 0
    assert result["smtp"]["sent"] >= 10
    assert result["smtp"]["received"] == result["smtp"]["sent"]
    assert EmailDelivery.objects.filter(state=DeliveryState.SENT).count() == result["smtp"]["sent"]
    out = tmp_path / "RESULTS.md"
    out.write_text(
        "# Benchmark results\n\n<!-- digest-bench:start -->old<!-- digest-bench:end -->\n"
    )
    args = argparse.Namespace(members=30, smtp_sample=10)
    section = digest_bench.write_results(out, args, result)
    text = out.read_text()
    assert "old" not in text and section in text and "| prepare the weekly digest" in section
