"""Click ingestion: idempotent, counted once per visitor per link per day, no raw IP."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.sharing import services
from portevoix.sharing.models import Click
from portevoix.sharing.visitor import local_day, visitor_hash
from tests.sharing.conftest import click, total

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
NOON = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.UTC)  # 12:00 in Paris


def visitor(ip: str = IP, ua: str = UA, at: dt.datetime = NOON) -> str:
    return visitor_hash(ip, ua, local_day(at))


@pytest.fixture
def link(ambassador, item):
    return services.link_get_or_create(membership=ambassador, item=item, network="linkedin")


def test_first_click_of_a_visitor_per_link_per_day_is_counted(link, rollup_calls, org, item):
    a, b = visitor("203.0.113.1"), visitor("203.0.113.2")
    records = [
        click(link.code, at=NOON, visitor=a),
        click(link.code, at=NOON + dt.timedelta(minutes=5), visitor=a),
        click(link.code, at=NOON + dt.timedelta(minutes=9), visitor=b),
    ]
    assert services.clicks_ingest(records) == 3
    rows = list(Click.objects.order_by("at"))
    assert [r.counted for r in rows] == [True, False, True]
    assert all(r.day == dt.date(2026, 5, 12) for r in rows)
    assert rollup_calls == [
        {
            "organization_id": org.pk,
            "day": dt.date(2026, 5, 12),
            "item_id": item.pk,
            "campaign_id": None,
            "membership_id": link.membership_id,
            "network": "linkedin",
            "clicks": 2,
            "unique_visitors": 2,
        }
    ]


def test_replaying_a_batch_inserts_and_counts_nothing(link, rollup_calls):
    records = [click(link.code, at=NOON, visitor=visitor()) for _ in range(3)]
    assert services.clicks_ingest(records) == 3
    calls = len(rollup_calls)
    assert services.clicks_ingest(records) == 0
    assert Click.objects.count() == 3
    assert len(rollup_calls) == calls


def test_a_partly_replayed_batch_adds_only_the_new_clicks(link, rollup_calls):
    first = [click(link.code, at=NOON, visitor=visitor("203.0.113.1"))]
    services.clicks_ingest(first)
    second = [*first, click(link.code, at=NOON, visitor=visitor("203.0.113.2"))]
    assert services.clicks_ingest(second) == 1
    assert Click.objects.count() == 2
    assert total(rollup_calls, "clicks") == 2


def test_the_same_journal_key_twice_in_a_batch_is_one_click(link):
    record = click(link.code, at=NOON, visitor=visitor(), key="journal-dup")
    assert services.clicks_ingest([record, record]) == 1


def test_the_daily_dedupe_holds_across_batches(link, rollup_calls):
    services.clicks_ingest([click(link.code, at=NOON, visitor=visitor())])
    later = NOON + dt.timedelta(hours=3)
    services.clicks_ingest([click(link.code, at=later, visitor=visitor(at=later))])
    assert list(Click.objects.order_by("at").values_list("counted", flat=True)) == [True, False]
    assert total(rollup_calls, "clicks") == 1
    assert total(rollup_calls, "unique_visitors") == 1


def test_the_next_day_the_same_person_is_counted_again(link, rollup_calls):
    tomorrow = NOON + dt.timedelta(days=1)
    services.clicks_ingest([click(link.code, at=NOON, visitor=visitor())])
    services.clicks_ingest([click(link.code, at=tomorrow, visitor=visitor(at=tomorrow))])
    rows = list(Click.objects.order_by("at"))
    assert [r.counted for r in rows] == [True, True]
    assert rows[0].visitor != rows[1].visitor  # the salt changed: not linkable
    assert [call["day"] for call in rollup_calls] == [dt.date(2026, 5, 12), dt.date(2026, 5, 13)]


def test_the_day_is_the_local_day(link, rollup_calls):
    late = dt.datetime(2026, 5, 12, 22, 30, tzinfo=dt.UTC)  # 00:30 on the 13th in Paris
    services.clicks_ingest([click(link.code, at=late, visitor=visitor(at=late))])
    assert Click.objects.get().day == dt.date(2026, 5, 13)
    assert rollup_calls[0]["day"] == dt.date(2026, 5, 13)


def test_the_same_visitor_on_two_links_counts_on_each(ambassador, item, link, rollup_calls):
    other = services.link_get_or_create(membership=ambassador, item=item, network="x")
    services.clicks_ingest(
        [
            click(link.code, at=NOON, visitor=visitor()),
            click(other.code, at=NOON, visitor=visitor()),
        ]
    )
    assert Click.objects.filter(counted=True).count() == 2
    assert sorted(call["network"] for call in rollup_calls) == ["linkedin", "x"]


def test_bots_and_head_requests_are_not_counted(link, rollup_calls):
    records = [
        click(link.code, at=NOON, visitor=visitor("203.0.113.1"), bot=True),
        click(link.code, at=NOON, visitor=visitor("203.0.113.2"), head=True),
    ]
    assert services.clicks_ingest(records) == 0
    assert not Click.objects.exists()
    assert rollup_calls == []


def test_unknown_codes_and_malformed_records_are_skipped(link, rollup_calls):
    records = [
        click("Unknwn1", at=NOON, visitor=visitor()),
        click("bad code!", at=NOON, visitor=visitor()),
        click(link.code, at=NOON.replace(tzinfo=None), visitor=visitor()),
        click(link.code, at=NOON, visitor=visitor(), key="k" * 81),
        click(link.code, at=NOON, visitor=visitor()),
    ]
    assert services.clicks_ingest(records) == 1
    assert Click.objects.get().link_id == link.pk


@pytest.mark.parametrize("raw", [IP, "2001:db8::1", "A" * 32, "a" * 31, ""])
def test_a_visitor_that_is_not_a_hash_is_never_stored(link, raw):
    assert services.clicks_ingest([click(link.code, at=NOON, visitor=raw)]) == 0
    assert not Click.objects.exists()


def test_no_raw_ip_is_stored_anywhere(link):
    services.clicks_ingest(
        [click(link.code, at=NOON, visitor=visitor(IP), referrer="linkedin", country="fr")]
    )
    row = Click.objects.values().get()
    for column, value in row.items():
        assert IP not in str(value), column
        assert "198.51.100" not in str(value), column
    assert row["country"] == "FR"
    assert row["referrer_network"] == "linkedin"
    assert len(row["visitor"]) == 32


def test_country_and_referrer_are_cleaned(link):
    services.clicks_ingest(
        [click(link.code, at=NOON, visitor=visitor(), country="France", referrer="<script>")]
    )
    row = Click.objects.get()
    assert row.country == ""
    assert row.referrer_network == ""


def test_a_missing_click_id_gets_a_stable_one(link):
    record = click(link.code, at=NOON, visitor=visitor(), key="journal-x")
    bare = type(record)(**{**record.__dict__, "click_id": ""})
    services.clicks_ingest([bare])
    first = Click.objects.get().click_id
    assert first and len(first) <= 32
    Click.objects.all().delete()
    services.clicks_ingest([bare])
    assert Click.objects.get().click_id == first


def test_rollups_always_equal_a_recount(ambassador, item, link, rollup_calls):
    other = services.link_get_or_create(membership=ambassador, item=item, network="bluesky")
    now = clock.now()
    batches = []
    for day in range(3):
        at = now - dt.timedelta(days=day)
        batch = [
            click(code, at=at + dt.timedelta(minutes=m), visitor=visitor(f"10.0.0.{m % 4}", at=at))
            for code in (link.code, other.code)
            for m in range(10)
        ]
        batches.append(batch)
    for batch in batches:
        services.clicks_ingest(batch[:12])
        services.clicks_ingest(batch)  # overlapping replay
    counted = Click.objects.filter(counted=True).count()
    assert Click.objects.count() == 60
    assert counted == 3 * 2 * 4
    assert total(rollup_calls, "clicks") == counted
    assert total(rollup_calls, "unique_visitors") == counted


def test_clicks_of_another_organization_stay_there(outsider, org, link, rollup_calls):
    services.clicks_ingest([click(link.code, at=NOON, visitor=visitor())])
    assert Click.objects.get().organization_id == org.pk
    assert {call["organization_id"] for call in rollup_calls} == {org.pk}
