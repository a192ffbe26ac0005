"""Each selector's figures on a small known dataset (tests/analytics/conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portevoix.accounts.roles import Role
from portevoix.analytics import selectors
from portevoix.analytics.selectors import Filters, breakdowns
from portevoix.content.models import Campaign
from portevoix.core.errors import NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
MARCH = Filters(D("2026-03-01"), D("2026-03-31"))
SPRING = Filters(D("2026-03-01"), D("2026-04-30"))


def f(start: str, end: str, **kw) -> Filters:
    return Filters(D(start), D(end), **kw)


def table(analyst, filters, dimension, **kw):
    rows = selectors.breakdown(membership=analyst, filters=filters, dimension=dimension, **kw).rows
    return {r.label: (r.figures.shares, r.figures.clicks, r.figures.conversions) for r in rows}


class TestTotals:
    def test_march(self, dataset, analyst):
        t = selectors.totals(membership=analyst, filters=MARCH)
        assert (t.shares, t.original_posts, t.potential_reach) == (3, 1, 160)
        assert (t.clicks, t.unique_visitors, t.conversions) == (5, 5, 0)
        assert t.click_through == Decimal("1.67")  # 5 ÷ 3

    def test_spring(self, dataset, analyst):
        t = selectors.totals(membership=analyst, filters=SPRING)
        assert (t.shares, t.potential_reach, t.clicks) == (4, 360, 5)
        assert (t.conversions, t.conversion_value) == (1, Decimal("20.00"))
        assert t.click_through == Decimal("1.25")

    @pytest.mark.parametrize(
        ("start", "end", "shares", "clicks"),
        [
            ("2026-03-02", "2026-03-02", 1, 3),  # one day: both ends inclusive
            ("2026-03-03", "2026-03-07", 0, 0),
            ("2026-03-08", "2026-03-31", 2, 2),
            ("2026-02-15", "2026-04-01", 4, 5),  # whole March (month rows) + edge days
            ("2026-03-01", "2026-03-31", 3, 5),  # exactly one month
            ("2026-03-31", "2026-04-01", 2, 1),  # across a month end
            ("2025-01-01", "2026-12-31", 4, 5),  # many months
        ],
    )
    def test_ranges_are_inclusive(self, dataset, analyst, start, end, shares, clicks):
        t = selectors.totals(membership=analyst, filters=f(start, end))
        assert (t.shares, t.clicks) == (shares, clicks)

    def test_no_share_no_ratio(self, dataset, analyst):
        t = selectors.totals(membership=analyst, filters=f("2026-03-03", "2026-03-07"))
        assert t.click_through is None

    def test_filters(self, dataset, analyst):
        def shares(**kw):
            return selectors.totals(membership=analyst, filters=Filters(**kw)).shares

        span = {"start": SPRING.start, "end": SPRING.end}
        assert shares(**span, campaign_id=dataset.campaign.pk) == 2
        assert shares(**span, network="linkedin") == 2
        assert shares(**span, team_id=dataset.paris.pk) == 3
        assert shares(**span, team_id=dataset.lyon.pk) == 1
        assert shares(**span, team_id=dataset.paris.pk, network="x") == 1
        assert shares(**span, team_id=dataset.lyon.pk, campaign_id=dataset.campaign.pk) == 1


class TestBreakdowns:
    def test_by_item(self, dataset, analyst):
        assert table(analyst, SPRING, "item") == {"Item one": (2, 4, 0), "Item two": (2, 1, 1)}

    def test_by_campaign(self, dataset, analyst):
        assert table(analyst, SPRING, "campaign") == {"Printemps": (2, 4, 0), "": (2, 1, 1)}

    def test_by_team_counts_people_in_two_teams_in_both(self, dataset, analyst):
        assert table(analyst, SPRING, "team") == {"Paris": (3, 4, 0), "Lyon": (1, 1, 0)}
        # The same through the join (a network filter has no team rollup).
        assert table(analyst, f("2026-03-01", "2026-04-30", network="x"), "team") == {
            "Paris": (1, 1, 0),
            "Lyon": (1, 1, 0),
        }

    def test_by_ambassador(self, dataset, analyst):
        assert table(analyst, SPRING, "ambassador") == {
            "User " + dataset.a.user.full_name.split()[-1]: (2, 3, 0),
            "User " + dataset.b.user.full_name.split()[-1]: (1, 1, 0),
            "User " + dataset.c.user.full_name.split()[-1]: (1, 1, 1),
        }

    def test_by_network(self, dataset, analyst):
        assert table(analyst, SPRING, "network") == {
            "LinkedIn": (2, 4, 1),
            "X": (1, 1, 0),
            "Facebook": (1, 0, 0),
        }

    def test_sorted_by_the_chosen_figure(self, dataset, analyst):
        by_clicks = selectors.breakdown(membership=analyst, filters=SPRING, dimension="ambassador")
        assert by_clicks.rows[0].key == str(dataset.a.pk)
        by_value = selectors.breakdown(
            membership=analyst, filters=SPRING, dimension="ambassador", order="conversion_value"
        )
        assert by_value.rows[0].key == str(dataset.c.pk)

    def test_limit(self, dataset, analyst):
        result = selectors.breakdown(
            membership=analyst, filters=SPRING, dimension="ambassador", limit=2
        )
        assert len(result.rows) == 2 and result.truncated

    def test_filtered(self, dataset, analyst):
        filters = f("2026-03-01", "2026-04-30", network="linkedin")
        assert table(analyst, filters, "item") == {"Item one": (1, 3, 0), "Item two": (1, 1, 1)}
        filters = f("2026-03-01", "2026-04-30", team_id=dataset.lyon.pk)
        assert list(table(analyst, filters, "ambassador").values()) == [(1, 1, 0)]

    def test_every_row_for_exports(self, dataset, analyst):
        rows = list(selectors.breakdown_iter(membership=analyst, filters=SPRING, dimension="item"))
        assert len(rows) == 2


class TestSeries:
    def test_days(self, dataset, analyst):
        points = selectors.timeseries(
            membership=analyst, filters=f("2026-03-01", "2026-03-08"), unit="day"
        )
        assert [p.start.day for p in points] == list(range(1, 9))
        assert [p.figures.clicks for p in points] == [0, 3, 0, 0, 0, 0, 0, 1]

    def test_weeks_start_on_monday(self, dataset, analyst):
        points = selectors.timeseries(membership=analyst, filters=MARCH, unit="week")
        assert [str(p.start) for p in points] == [
            "2026-02-23",  # holds Sunday March 1st only
            "2026-03-02",
            "2026-03-09",
            "2026-03-16",
            "2026-03-23",
            "2026-03-30",
        ]
        assert [p.figures.shares for p in points] == [0, 2, 0, 0, 0, 1]
        assert [p.figures.clicks for p in points] == [0, 4, 0, 0, 0, 1]

    def test_months(self, dataset, analyst):
        points = selectors.timeseries(
            membership=analyst, filters=f("2026-02-15", "2026-04-01"), unit="month"
        )
        assert [str(p.start) for p in points] == ["2026-02-01", "2026-03-01", "2026-04-01"]
        assert [p.figures.shares for p in points] == [0, 3, 1]
        assert [p.figures.conversions for p in points] == [0, 0, 1]

    def test_series_add_up_to_the_totals(self, dataset, analyst):
        total = selectors.totals(membership=analyst, filters=SPRING)
        for unit in selectors.UNITS:
            points = selectors.timeseries(membership=analyst, filters=SPRING, unit=unit)
            assert sum(p.figures.clicks for p in points) == total.clicks
            assert sum(p.figures.potential_reach for p in points) == total.potential_reach


class TestWhoSeesWhat:
    def test_an_ambassador_sees_only_their_own(self, dataset):
        a = dataset.a
        t = selectors.totals(membership=a, filters=SPRING)
        assert (t.shares, t.clicks, t.potential_reach) == (2, 3, 300)
        rows = selectors.breakdown(membership=a, filters=SPRING, dimension="ambassador").rows
        assert [r.key for r in rows] == [str(a.pk)]
        rows = selectors.breakdown(membership=a, filters=SPRING, dimension="team").rows
        assert {r.label: r.figures.shares for r in rows} == {"Paris": 2}
        points = selectors.timeseries(membership=a, filters=SPRING, unit="month")
        assert [p.figures.shares for p in points] == [1, 1]

    def test_the_org_view_can_ask_for_its_own(self, dataset, admin):
        scope = selectors.scope_of(admin)
        assert scope.membership_id is None
        with pytest.raises(PermissionDenied):  # an admin who is not an ambassador
            selectors.scope_of(admin, own=True)

    @pytest.mark.parametrize(
        "role",
        [Role.ADMIN, Role.ANALYST, Role.COMMUNITY_MANAGER, Role.EXECUTIVE, Role.CONTENT_MANAGER],
    )
    def test_roles_that_see_the_org(self, dataset, org, role):
        member = factories.make_member(org, role)
        assert selectors.totals(membership=member, filters=SPRING).shares == 4

    @pytest.mark.parametrize("role", [None, Role.APPROVER, Role.FINAL_APPROVER])
    def test_roles_that_see_nothing(self, dataset, org, role):
        member = factories.make_member(org, *([role] if role else []))
        with pytest.raises(PermissionDenied):
            selectors.totals(membership=member, filters=SPRING)

    def test_filters_of_another_org_are_not_found(self, dataset, outsider, analyst):
        with pytest.raises(NotFound):
            selectors.filters_for(
                outsider, start=SPRING.start, end=SPRING.end, campaign_id=dataset.campaign.pk
            )
        with pytest.raises(NotFound):
            selectors.filters_for(
                outsider, start=SPRING.start, end=SPRING.end, team_id=dataset.paris.pk
            )
        theirs = Campaign.objects.create(organization=outsider.organization, name="X", slug="x")
        with pytest.raises(NotFound):
            selectors.filters_for(
                analyst, start=SPRING.start, end=SPRING.end, campaign_id=theirs.pk
            )

    def test_an_outsider_sees_none_of_it(self, dataset, outsider):
        t = selectors.totals(membership=outsider, filters=SPRING)
        assert t.shares == 0
        for dim in selectors.DIMENSIONS:
            assert (
                selectors.breakdown(membership=outsider, filters=SPRING, dimension=dim).rows == []
            )


def test_chart_geometry():
    from portevoix.analytics import charts
    from portevoix.analytics.selectors import Figures, Point

    points = [
        Point(D("2026-03-02"), Figures(shares=1, clicks=5)),
        Point(D("2026-03-09"), Figures()),
    ]
    chart = charts.build(points, "week", "clicks")
    assert chart.maximum == 8  # 4 steps of 2
    assert [t.label for t in chart.ticks] == ["0", "2", "4", "6", "8"]
    assert chart.bars[0].value == 5 and chart.bars[1].height == 0
    assert chart.bars[0].y == round(chart.baseline - chart.bars[0].height, 1)
    assert chart.line  # shares drawn as a line under a clicks chart
    assert charts.build([], "day", "shares").bars == []


@pytest.mark.parametrize("order", selectors.ORDERS)
@pytest.mark.parametrize("limit", [1, 2, 50])
def test_the_bounded_walk_finds_the_same_top(dataset, analyst, monkeypatch, order, limit):
    """The top ambassadors found by walking the all-time sums = the plain aggregation."""
    monkeypatch.setattr(breakdowns, "WALK_MIN_DAYS", 10**6)
    plain = selectors.breakdown(
        membership=analyst, filters=MARCH, dimension="ambassador", order=order, limit=limit
    ).rows
    monkeypatch.setattr(breakdowns, "WALK_MIN_DAYS", 1)
    monkeypatch.setattr(breakdowns, "WALK_BATCH", 1)
    walked = selectors.breakdown(
        membership=analyst, filters=MARCH, dimension="ambassador", order=order, limit=limit
    ).rows
    assert walked == plain


@pytest.mark.parametrize("network", ["linkedin", "x", "facebook"])
def test_the_bounded_walk_with_a_network_filter(dataset, analyst, monkeypatch, network):
    filters = Filters(MARCH.start, SPRING.end, network=network)
    monkeypatch.setattr(breakdowns, "WALK_MIN_DAYS", 10**6)
    plain = selectors.breakdown(
        membership=analyst, filters=filters, dimension="ambassador", limit=2
    ).rows
    monkeypatch.setattr(breakdowns, "WALK_MIN_DAYS", 1)
    monkeypatch.setattr(breakdowns, "WALK_BATCH", 1)
    walked = selectors.breakdown(
        membership=analyst, filters=filters, dimension="ambassador", limit=2
    ).rows
    assert walked == plain
