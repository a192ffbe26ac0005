"""The ledger: once per key, reversals, caps, rules in force at the time, totals = recount."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.recognition import selectors, services
from portevoix.recognition.models import PointEntry, PointRule, PointTotal
from tests.recognition.conftest import NOON, award, entries

pytestmark = pytest.mark.django_db


def totals(membership, period="all"):
    return list(
        PointTotal.objects.filter(membership=membership, period=period).values_list(
            "points", "spendable"
        )
    )


def test_the_same_event_awards_once(ambassador):
    first = award(ambassador, key="share:1")
    assert first is not None and first.lifetime == 2 and first.spendable == 2
    assert award(ambassador, key="share:1") is None
    assert entries(ambassador) == [("share", 2)]
    assert totals(ambassador) == [(2, 2)]


def test_every_period_total_moves_with_the_entry(ambassador):
    award(ambassador, key="a")
    periods = dict(PointTotal.objects.filter(membership=ambassador).values_list("period", "start"))
    assert periods == {
        "week": dt.date(2026, 5, 11),
        "month": dt.date(2026, 5, 1),
        "quarter": dt.date(2026, 4, 1),
        "all": dt.date(2000, 1, 1),
    }
    assert set(PointTotal.objects.values_list("points", flat=True)) == {2}


def test_a_reversal_is_a_new_negative_row_once(ambassador, org):
    award(ambassador, key="share:7", source=7)
    reversal = services.points_reverse(organization_id=org.pk, key="share:7")
    assert reversal is not None
    assert reversal.key == "reverse:share:7" and reversal.lifetime == -2
    assert services.points_reverse(organization_id=org.pk, key="share:7") is None
    assert services.points_reverse(organization_id=org.pk, key="reverse:share:7") is None
    assert entries(ambassador) == [("share", 2), ("share", -2)]
    assert totals(ambassador) == [(0, 0)]
    # The original row is untouched: the ledger is append-only.
    assert PointEntry.objects.get(key="share:7").lifetime == 2


def test_reversing_a_source_undoes_all_its_awards(ambassador, org):
    award(ambassador, "share", "share:3", source=3)
    award(ambassador, "original_post", "original:3", source=3)
    award(ambassador, "share", "share:4", source=4)
    assert (
        services.points_reverse_source(organization_id=org.pk, source_type="test", source_id=3) == 2
    )
    assert (
        services.points_reverse_source(organization_id=org.pk, source_type="test", source_id=3) == 0
    )
    assert totals(ambassador) == [(2, 2)]


def test_the_daily_cap_cuts_and_then_stops_the_awards(ambassador):
    # Shares: 2 points, at most 10 a day and 6 a day per network.
    for n in range(4):
        award(ambassador, key=f"s{n}", network="linkedin")
    assert [points for _rule, points in entries(ambassador)] == [2, 2, 2, 0]
    assert PointEntry.objects.get(key="s3").capped
    for n in range(4):
        award(ambassador, key=f"x{n}", network="x")
    assert [points for _rule, points in entries(ambassador)][4:] == [2, 2, 0, 0]
    assert totals(ambassador) == [(10, 10)]
    # The next day starts again.
    assert award(ambassador, key="next", at=NOON + dt.timedelta(days=1)).lifetime == 2


def test_a_cap_cuts_a_multiple_award_to_what_is_left(ambassador):
    # Likes: 1 point each, at most 20 a day per network.
    award(ambassador, "like", "like:1", count=15)
    entry = award(ambassador, "like", "like:2", count=15)
    assert entry.lifetime == 5 and entry.capped


def test_a_duplicate_does_not_use_the_cap(ambassador):
    award(ambassador, key="same")
    for _ in range(5):
        award(ambassador, key="same")
    assert award(ambassador, key="other").lifetime == 2


def test_an_event_is_valued_by_the_rule_in_force_when_it_happened(ambassador, admin, org):
    services.rules_ensure_defaults(organization_id=org.pk)
    rule = services.rule_set(
        actor=admin, code="share", points=7, daily_cap=0, network_daily_cap=0, active=True
    )
    before = rule.valid_from - dt.timedelta(hours=1)
    assert award(ambassador, key="old", at=before).lifetime == 2
    assert award(ambassador, key="new", at=rule.valid_from).lifetime == 7


def test_a_rule_switched_off_awards_nothing(ambassador, admin):
    rule = services.rule_set(
        actor=admin, code="share", points=2, daily_cap=0, network_daily_cap=0, active=False
    )
    assert award(ambassador, key="off", at=rule.valid_from + dt.timedelta(seconds=1)) is None


def test_only_an_administrator_changes_the_rules(ambassador, manager):
    from portevoix.core.errors import PermissionDenied

    for someone in (ambassador, manager):
        with pytest.raises(PermissionDenied):
            services.rule_set(
                actor=someone, code="share", points=9, daily_cap=0, network_daily_cap=0, active=True
            )


def test_the_rules_are_checked(admin):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.rule_set(
            actor=admin, code="share", points=-1, daily_cap=-3, network_daily_cap=0, active=True
        )
    assert set(caught.value.field_errors) == {"points", "daily_cap"}


def test_every_organization_gets_the_default_rules_once(org, other_org):
    services.rules_ensure_defaults(organization_id=org.pk)
    services.rules_ensure_defaults(organization_id=org.pk)
    assert PointRule.objects.filter(organization=org).count() == len(services.DEFAULT_RULES)
    rules = {r.code: r.points for r in selectors.rules_in_force(organization_id=other_org.pk)}
    # Outcomes weigh more than activity.
    assert rules["comment"] > rules["like"]
    assert rules["conversion"] > rules["click"] and rules["click"] < rules["share"] * 2
    assert set(rules) >= {"idea_accepted", "survey_answered", "course_passed", "event_attended"}


def test_the_totals_equal_a_recount_of_the_ledger(ambassador, member, org):
    for n in range(12):
        award(ambassador, "click", f"c{n}", at=NOON + dt.timedelta(days=n * 9))
    award(member, "comment", "m1", count=4)
    services.points_reverse(organization_id=org.pk, key="c3")
    recount = selectors.ledger_sums(organization_id=org.pk)
    assert selectors.stored_totals(organization_id=org.pk) == recount


def _share_rule(admin, points, **caps):
    return services.rule_set(
        actor=admin,
        code="share",
        points=points,
        daily_cap=caps.get("daily_cap", 0),
        network_daily_cap=caps.get("network_daily_cap", 0),
        active=True,
    )


def test_a_recount_values_past_events_with_todays_rules_and_is_recorded(ambassador, admin, org):
    award(ambassador, key="share:1", source=1)
    award(ambassador, "like", "like:1", count=3)
    _share_rule(admin, 5)
    assert totals(ambassador) == [(5, 5)]  # never retroactive by itself
    recount = services.points_recount(actor=admin, since=NOON.date())
    assert (recount.requested_by, recount.entries_changed, recount.points_delta) == (admin, 1, 3)
    correction = PointEntry.objects.get(key=f"recount:{recount.pk}:share:1")
    assert correction.adjusts is not None and correction.adjusts.key == "share:1"
    assert totals(ambassador) == [(8, 8)]
    again = services.points_recount(actor=admin, since=NOON.date())
    assert (again.entries_changed, again.points_delta) == (0, 0)
    # Reversing a recounted award takes back what it is worth now.
    services.points_reverse(organization_id=org.pk, key="share:1")
    assert totals(ambassador) == [(3, 3)]
    assert selectors.stored_totals(organization_id=org.pk) == selectors.ledger_sums(
        organization_id=org.pk
    )


def test_a_recount_keeps_the_caps_and_skips_the_days_before(ambassador, admin):
    award(ambassador, key="old", at=NOON - dt.timedelta(days=3))
    for n in range(3):
        award(ambassador, key=f"s{n}", network="x")
    _share_rule(admin, 4, daily_cap=10)
    services.points_recount(actor=admin, since=NOON.date())
    values = dict(
        PointEntry.objects.filter(adjusts__isnull=False).values_list("adjusts__key", "lifetime")
    )
    assert values == {"s0": 2, "s1": 2}  # 4 + 4 + 2 (the cap): s2 unchanged; "old" untouched
    assert totals(ambassador) == [(12, 12)]


def test_only_an_administrator_asks_for_a_recount(ambassador):
    from portevoix.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.points_recount(actor=ambassador, since=NOON.date())
