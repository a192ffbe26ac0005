"""The points benchmark (bench/recognition_bench.py) at a tiny scale, in the test database:
its SQL-generated ledger, the totals built from it, every measurement and the report. Keeps
`make bench` from rotting."""

from __future__ import annotations

import argparse

import pytest

from bench import recognition_bench
from portevoix.accounts.models import Organization
from portevoix.recognition import selectors, services
from portevoix.recognition.models import PendingAward, PointEntry, PointTotal
from tests.recognition.test_upkeep import kept, recounted

# The benchmark smoke tests build a benchmark organization: the `slow` tier.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_points_benchmark_builds_a_consistent_ledger_and_measures_it(tmp_path):
    built = recognition_bench.build(0.0005, fast=False)
    org_id = built["org_id"]
    sizes = recognition_bench.sizes(0.0005)
    assert built["counts"]["entries"] == sizes["entries"]
    assert PointEntry.objects.filter(organization_id=org_id).count() == sizes["entries"]
    # The generated totals are those the ledger gives, for every member and period.
    assert selectors.stored_totals(organization_id=org_id) == selectors.ledger_sums(
        organization_id=org_id
    )
    assert built["counts"]["totals_week"] > 0
    # The teams' totals and sizes are those the upkeep keeps (a recount from the members').
    org = Organization.objects.get(pk=org_id)
    assert kept(org) == recounted(org) and kept(org)[1]
    # Who no board lists is marked on the totals (the build runs the real service).
    assert services.listing_check() == 0

    measured = recognition_bench.measure(built, runs=2, awards=BATCH_AWARDS, naive_runs=1)
    names = {t["name"] for t in measured["timings"]}
    assert "board, week" in names
    assert "teams by average, all" in names
    assert "award a share: its waiting row (in the share's transaction)" in names
    assert any(name.startswith("award a share: given by the drain") for name in names)
    assert not PendingAward.objects.exists()  # every share's award was given
    assert all(t["p50"] > 0 for t in measured["timings"])
    assert measured["checks"]["totals_match_ledger_after_awards"] is True
    fold = next(t for t in measured["timings"] if t["name"].startswith("compact the histogram"))
    assert fold["rows"] >= fold["folded"] > 0  # the awards' rows, folded into one per bucket
    assert measured["checks"]["histogram_one_row_per_bucket_after_fold"] is True
    assert all(measured["checks"][f"board_top_not_above_reference_{p}"] for p in ("week", "all"))
    assert measured["plans"]["board, week"]["plan"]
    # The awards went through the real service: the totals still match the ledger.
    assert selectors.stored_totals(organization_id=org_id) == selectors.ledger_sums(
        organization_id=org_id
    )
    assert PointTotal.objects.filter(organization_id=org_id, period="all").exists()
    assert kept(org) == recounted(org)

    result = {
        "db": "test",
        "version": "test database",
        "build_s": 1.0,
        "counts": built["counts"],
        **measured,
    }
    out = tmp_path / "RESULTS.md"
    out.write_text(
        "# Benchmark results\n\n"
        "<!-- recognition-bench:start -->PREVIOUS RUN<!-- recognition-bench:end -->\n"
    )
    args = argparse.Namespace(scale=0.0005, dbs="test", runs=2, awards=BATCH_AWARDS, naive_runs=1)
    section = recognition_bench.write_results(out, args, [result])
    text = out.read_text()
    assert "PREVIOUS RUN" not in text and section in text
    assert "| board, week |" in section


BATCH_AWARDS = recognition_bench.BATCH * 2
