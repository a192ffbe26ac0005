"""rollup_add: one upsert per table (new cell, increments, concurrency), the coarse tables,
team moves, and rebuild/recount from the raw events."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from portevoix.accounts import services as account_services
from portevoix.analytics import rollups
from portevoix.analytics.models import (
    CampaignRollup,
    DailyRollup,
    ItemRollup,
    MemberRollup,
    TeamRollup,
)
from tests import factories, installed_var
from tests.analytics import events

DAY = dt.date(2026, 3, 14)
KEY = {"day": DAY, "item_id": 11, "membership_id": 22, "network": "linkedin"}


def add(org, **figures):
    rollups.rollup_add(
        organization_id=org.pk,
        day=figures.pop("day", DAY),
        item_id=figures.pop("item_id", 11),
        campaign_id=figures.pop("campaign_id", 5),
        membership_id=figures.pop("membership_id", 22),
        network=figures.pop("network", "linkedin"),
        **figures,
    )


@pytest.mark.django_db
class TestRollupAdd:
    def test_creates_the_cell(self, org):
        add(org, shares=1, original_posts=1, potential_reach=300)
        cell = DailyRollup.objects.get(organization=org, **KEY)
        assert (cell.shares, cell.original_posts, cell.potential_reach) == (1, 1, 300)
        assert cell.campaign_id == 5
        assert (cell.clicks, cell.conversions, cell.conversion_value_cents) == (0, 0, 0)

    def test_adds_to_the_cell(self, org, django_assert_max_num_queries):
        add(org, shares=1, potential_reach=300)
        with django_assert_max_num_queries(10):  # teams, savepoint and release, 7 upserts
            add(org, clicks=2, unique_visitors=2)
        add(org, conversions=1, conversion_value=Decimal("19.99"))
        add(org, conversions=1, conversion_value=Decimal("0.01"))
        cell = DailyRollup.objects.get(organization=org, **KEY)
        assert DailyRollup.objects.count() == 1
        assert (cell.shares, cell.clicks, cell.unique_visitors) == (1, 2, 2)
        assert (cell.conversions, cell.conversion_value_cents) == (2, 2000)

    def test_other_keys_are_other_cells(self, org):
        add(org, shares=1)
        add(org, shares=1, network="x")
        add(org, shares=1, day=DAY + dt.timedelta(days=1))
        add(org, shares=1, item_id=12)
        add(org, shares=1, membership_id=23)
        assert DailyRollup.objects.count() == 5

    def test_no_campaign(self, org):
        add(org, shares=1, campaign_id=None)
        assert DailyRollup.objects.get().campaign_id is None
        assert CampaignRollup.objects.filter(campaign_id=0).count() == 2  # day and month

    def test_coarse_rows_day_and_month(self, org):
        add(org, shares=1, potential_reach=10)
        add(org, shares=1, potential_reach=5, day=dt.date(2026, 3, 1), item_id=12)
        month = MemberRollup.objects.get(grain="m", period=dt.date(2026, 3, 1))
        assert (month.shares, month.potential_reach) == (2, 15)
        days = MemberRollup.objects.filter(grain="d").order_by("period")
        assert [(r.period, r.shares) for r in days] == [(dt.date(2026, 3, 1), 1), (DAY, 1)]
        assert ItemRollup.objects.filter(grain="m").count() == 2
        assert CampaignRollup.objects.get(grain="m").shares == 2

    def test_zero_deltas_write_nothing(self, org):
        add(org)
        assert not DailyRollup.objects.exists()

    def test_team_rows_follow_the_teams(self, org, admin, ambassador):
        paris = account_services.team_create(actor=admin, name="Paris")
        lyon = account_services.team_create(actor=admin, name="Lyon")
        ambassador.teams.add(paris)
        add(org, shares=2, membership_id=ambassador.pk)
        assert TeamRollup.objects.get(team_id=paris.pk, grain="m").shares == 2
        ambassador.teams.add(lyon)  # in two teams: counts in both
        assert TeamRollup.objects.get(team_id=lyon.pk, grain="d").shares == 2
        ambassador.teams.remove(paris)  # leaves: takes the figures along
        assert TeamRollup.objects.get(team_id=paris.pk, grain="d").shares == 0
        lyon.delete()
        assert not TeamRollup.objects.filter(team_id=lyon.pk).exists()
        start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        assert rollups.coarse_mismatches(organization_id=org.pk, start=start, end=end) == []


THREADS, PER_THREAD = 4, 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_lose_nothing(org, tmp_path):
    """Threads with their own connections add to the same cell at the same time: one
    upsert statement each, so none is lost."""
    total = THREADS * PER_THREAD
    if connection.vendor == "sqlite":
        # The in-memory test database has table locks; check on a file database set up as
        # in production (WAL, busy timeout), in a process of its own.
        script = Path(__file__).with_name("concurrency_check.py")
        installed_var.copy_database(tmp_path / "c.sqlite3")  # migrated once, copied
        done = subprocess.run(
            [
                sys.executable,
                str(script),
                str(tmp_path / "c.sqlite3"),
                str(THREADS),
                str(PER_THREAD),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result == {
            "errors": [],
            "clicks": total,
            "unique_visitors": total,
            "cents": total * 110,
            "month_clicks": total,
        }
        return
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                add(org, clicks=1, unique_visitors=1, conversion_value=Decimal("1.10"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    cell = DailyRollup.objects.get(organization=org, **KEY)
    assert (cell.clicks, cell.unique_visitors, cell.conversion_value_cents) == (
        total,
        total,
        total * 110,
    )
    assert MemberRollup.objects.get(grain="m").clicks == total


@pytest.mark.django_db
class TestRebuildAndRecount:
    @pytest.fixture
    def stream(self, org, manager, approver, ambassador):
        item = factories.make_live_item(manager, approver)
        tz = timezone.get_current_timezone()
        at = dt.datetime(2026, 3, 31, 23, 30, tzinfo=tz)  # late in the day, end of month
        share = events.share(ambassador, item, "linkedin", at, audience=300, personalized=True)
        events.share(ambassador, item, "x", at - dt.timedelta(days=40), audience=50)
        for i in range(4):
            events.click(share.link, at + dt.timedelta(minutes=20 * i), f"v{i % 2}")
        events.conversion(share.link, at + dt.timedelta(days=1), Decimal("12.34"))
        return org

    def test_rollups_equal_the_recount(self, stream):
        start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        recount = rollups.rollups_recount(organization_id=stream.pk, start=start, end=end)
        assert rollups.rollups_read(organization_id=stream.pk, start=start, end=end) == recount
        day_of_share = dt.date(2026, 3, 31)
        cell = next(v for k, v in recount.items() if k[0] == day_of_share and k[3] == "linkedin")
        # 23:30, 23:50 on the 31st (v0, v1); 00:10, 00:30 on April 1st (v0, v1 again: new day)
        assert (cell["shares"], cell["clicks"], cell["unique_visitors"]) == (1, 2, 2)

    def test_rebuild_repairs(self, stream):
        start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        expected = rollups.rollups_recount(organization_id=stream.pk, start=start, end=end)
        DailyRollup.objects.update(clicks=999)
        MemberRollup.objects.all().delete()
        CampaignRollup.objects.update(shares=7)
        written = rollups.rollups_rebuild(organization_id=stream.pk, start=start, end=end)
        assert written == len(expected)
        assert rollups.rollups_read(organization_id=stream.pk, start=start, end=end) == expected
        assert rollups.coarse_mismatches(organization_id=stream.pk, start=start, end=end) == []

    def test_rebuild_of_part_of_a_month(self, stream):
        start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        expected = rollups.rollups_recount(organization_id=stream.pk, start=start, end=end)
        rollups.rollups_rebuild(
            organization_id=stream.pk, start=dt.date(2026, 3, 20), end=dt.date(2026, 4, 3)
        )
        assert rollups.rollups_read(organization_id=stream.pk, start=start, end=end) == expected
        assert rollups.coarse_mismatches(organization_id=stream.pk, start=start, end=end) == []
