"""Engagement from connected accounts: the deltas the publishing engine adds, the recount
and rebuild from the latest snapshots, and how the dashboards, exports and API show the
figures (LinkedIn: "not available", never 0)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portevoix.accounts.roles import Role
from portevoix.analytics import rollups, selectors
from portevoix.analytics.models import (
    MEASURES,
    CampaignRollup,
    DailyRollup,
    MemberRollup,
    MemberTotal,
    NetworkRollup,
)
from portevoix.analytics.selectors import Figures, Filters
from portevoix.publishing.models import EngagementSnapshot
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at
from tests.analytics.test_views import DASHBOARD, ME, SPRING, client_for, read_csv
from tests.api.conftest import ApiClient, token_for

D = dt.date.fromisoformat
SPRING_F = Filters(D("2026-03-01"), D("2026-04-30"))
YEAR = (D("2026-01-01"), D("2026-12-31"))


class TestEngagementDelta:
    def test_first_snapshot(self):
        assert rollups.engagement_delta(None, (2, 1, None, 0, 100)) == {
            "engagements": 3,
            "impressions": 100,
            "impression_engagements": 3,
        }

    def test_no_impressions_from_the_network(self):
        assert rollups.engagement_delta(None, (4, None, 1, None, None)) == {
            "engagements": 5,
            "impressions": 0,
            "impression_engagements": 0,  # out of the rate: no views to divide by
        }

    def test_growth(self):
        assert rollups.engagement_delta((2, 1, 0, 0, 100), (5, 1, 2, 1, 250)) == {
            "engagements": 6,
            "impressions": 150,
            "impression_engagements": 6,
        }

    def test_a_like_withdrawn(self):
        assert rollups.engagement_delta((5, 0, 0, 0, 90), (4, 0, 0, 0, 90)) == {
            "engagements": -1,
            "impressions": 0,
            "impression_engagements": -1,
        }

    def test_impressions_appear_then_vanish(self):
        # The network starts reporting views: the post's engagements enter the numerator.
        assert rollups.engagement_delta((3, 0, 0, 0, None), (3, 0, 0, 0, 50)) == {
            "engagements": 0,
            "impressions": 50,
            "impression_engagements": 3,
        }
        # ... and stops: they leave it, with the impressions.
        assert rollups.engagement_delta((3, 0, 0, 0, 50), (4, 0, 0, 0, None)) == {
            "engagements": 1,
            "impressions": -50,
            "impression_engagements": -3,
        }

    def test_zero_impressions_reported_is_reported(self):
        assert rollups.engagement_delta(None, (1, 0, 0, 0, 0))["impression_engagements"] == 1

    def test_unchanged(self):
        figures = (1, 2, 3, 4, 5)
        assert rollups.engagement_delta(figures, figures) == dict.fromkeys(
            ("engagements", "impressions", "impression_engagements"), 0
        )

    def test_deltas_add_up_to_the_latest(self):
        chain = [(1, None, 0, 0, None), (3, 1, 0, 0, 40), (2, 1, 5, 1, 90), (2, 1, 5, 1, None)]
        total = dict.fromkeys(("engagements", "impressions", "impression_engagements"), 0)
        previous = None
        for figures in chain:
            for k, v in rollups.engagement_delta(previous, figures).items():
                total[k] += v
            previous = figures
        assert total == rollups.engagement_measures(chain[-1])

    def test_malformed(self):
        with pytest.raises(ValueError):
            rollups.engagement_delta(None, (1, 2, 3))  # type: ignore[arg-type]


@pytest.mark.django_db
class TestRollupAdd:
    def add(self, org, **figures):
        rollups.rollup_add(
            organization_id=org.pk,
            day=D("2026-03-14"),
            item_id=11,
            campaign_id=5,
            membership_id=22,
            network="x",
            **figures,
        )

    def test_every_table_gets_the_new_measures(self, org):
        self.add(org, shares=1)
        self.add(org, **rollups.engagement_delta(None, (5, 1, 1, 0, 300)))
        self.add(org, **rollups.engagement_delta((5, 1, 1, 0, 300), (4, 1, 1, 0, 320)))
        cell = DailyRollup.objects.get(organization=org)
        assert (cell.shares, cell.engagements, cell.impressions) == (1, 6, 320)
        assert cell.impression_engagements == 6
        for model in (NetworkRollup, CampaignRollup, MemberRollup):
            for row in model.objects.filter(organization=org):
                assert (row.engagements, row.impressions, row.impression_engagements) == (
                    6,
                    320,
                    6,
                )
        totals = {t.network: t.engagements for t in MemberTotal.objects.filter(organization=org)}
        assert totals == {"": 6, "x": 6}
        assert rollups.coarse_mismatches(organization_id=org.pk, start=YEAR[0], end=YEAR[1]) == []

    def test_many(self, org):
        delta = rollups.Delta(
            organization_id=org.pk,
            day=D("2026-03-14"),
            item_id=1,
            campaign_id=None,
            membership_id=2,
            network="bluesky",
            values=rollups.engagement_delta(None, (2, 2, 2, 2, None)),
        )
        rollups.rollups_add_many([delta, delta])
        cell = DailyRollup.objects.get(organization=org)
        assert (cell.engagements, cell.impressions, cell.impression_engagements) == (16, 0, 0)

    def test_measures_are_appended(self):
        assert MEASURES[-3:] == ("engagements", "impressions", "impression_engagements")


@pytest.mark.django_db
class TestRecountAndRebuild:
    @pytest.fixture
    def stream(self, org, manager, approver, ambassador):
        item = factories.make_live_item(manager, approver)
        tz = timezone.get_current_timezone()
        late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=tz)  # late in the day, end of month
        x = events.share(ambassador, item, "x", late, audience=10)
        post = events.connect_post(x)
        events.snapshot(post, late + dt.timedelta(hours=1), likes=1, impressions=10)
        same = late + dt.timedelta(hours=2)
        events.snapshot(post, same, likes=2, impressions=20)
        # Same `at`: the higher id is the latest.
        events.snapshot(post, same, likes=7, replies=1, impressions=70)
        # An older reading that arrives late is not the latest.
        events.snapshot(post, late + dt.timedelta(minutes=90), likes=99, impressions=999)
        # A share without a post (share dialog), and a post without snapshots.
        events.share(ambassador, item, "mastodon", late - dt.timedelta(days=40))
        events.connect_post(events.share(ambassador, item, "bluesky", late))
        # Bluesky gives no impressions.
        bsky = events.connect_post(events.share(ambassador, item, "bluesky", late, audience=1))
        events.snapshot(bsky, late + dt.timedelta(days=3), likes=4, reposts=1, quotes=2)
        return org, ambassador, item

    def cells(self, org):
        recount = rollups.rollups_recount(organization_id=org.pk, start=YEAR[0], end=YEAR[1])
        return {
            k[3]: (v["engagements"], v["impressions"], v["impression_engagements"])
            for k, v in recount.items()
        }

    def test_the_latest_snapshot_counts_on_the_day_of_the_share(self, stream):
        org, ambassador, item = stream
        recount = rollups.rollups_recount(organization_id=org.pk, start=YEAR[0], end=YEAR[1])
        keys = {k for k in recount if k[3] == "x"}
        assert keys == {(D("2026-03-31"), item.pk, ambassador.pk, "x")}
        assert self.cells(org) == {"x": (8, 70, 8), "mastodon": (0, 0, 0), "bluesky": (7, 0, 0)}
        assert rollups.rollups_read(organization_id=org.pk, start=YEAR[0], end=YEAR[1]) == recount

    def test_rebuild_recomputes_from_the_snapshots(self, stream):
        org = stream[0]
        expected = rollups.rollups_recount(organization_id=org.pk, start=YEAR[0], end=YEAR[1])
        DailyRollup.objects.update(engagements=0, impressions=5)
        MemberTotal.objects.update(impression_engagements=3)
        rollups.rollups_rebuild(organization_id=org.pk, start=YEAR[0], end=YEAR[1])
        assert rollups.rollups_read(organization_id=org.pk, start=YEAR[0], end=YEAR[1]) == expected
        assert rollups.coarse_mismatches(organization_id=org.pk, start=YEAR[0], end=YEAR[1]) == []

    def test_rebuild_of_the_day_only(self, stream):
        org = stream[0]
        expected = rollups.rollups_recount(organization_id=org.pk, start=YEAR[0], end=YEAR[1])
        DailyRollup.objects.update(engagements=0)
        day = D("2026-03-31")
        rollups.rollups_rebuild(organization_id=org.pk, start=day, end=day)
        assert rollups.rollups_read(organization_id=org.pk, start=YEAR[0], end=YEAR[1]) == expected

    def test_snapshots_of_other_organizations_do_not_count(self, stream, outsider):
        org = stream[0]
        before = self.cells(org)
        approver = factories.make_member(outsider.organization, Role.APPROVER)
        item = factories.make_live_item(outsider, approver)
        theirs = events.share(outsider, item, "x", at("2026-03-31"))
        events.snapshot(events.connect_post(theirs), at("2026-04-01"), likes=50)
        assert self.cells(org) == before
        assert EngagementSnapshot.objects.filter(organization=outsider.organization).count() == 1


@pytest.mark.django_db
class TestFigures:
    def test_totals(self, dataset, analyst):
        t = selectors.totals(membership=analyst, filters=SPRING_F)
        # X: 5 + 1 + 2 = 8 on 400 impressions; Facebook: 3, no impressions.
        assert (t.engagements, t.impressions, t.impression_engagements) == (11, 400, 8)
        assert t.engagement_rate == Decimal("0.0200")
        assert t.engagement_rate_percent == Decimal("2.00")
        march = selectors.totals(
            membership=analyst, filters=Filters(D("2026-03-01"), D("2026-03-31"))
        )
        assert (march.engagements, march.impressions) == (8, 400)  # the X share's day

    def test_no_impressions_no_rate(self):
        assert Figures(engagements=5).engagement_rate is None
        assert Figures(engagements=5).as_dict()["engagement_rate"] is None
        assert Figures(impressions=3, impression_engagements=1).engagement_rate == Decimal("0.3333")

    def test_linkedin_is_not_available_by_network(self, dataset, analyst):
        rows = selectors.breakdown(membership=analyst, filters=SPRING_F, dimension="network").rows
        by_key = {r.key: r.figures for r in rows}
        assert not by_key["linkedin"].engagement_available
        assert by_key["linkedin"].unavailable_text == "not available from LinkedIn"
        values = by_key["linkedin"].as_dict()
        assert [values[k] for k in selectors.ENGAGEMENT_FIGURES] == [None] * 4
        assert values["shares"] == 2  # every other figure is there
        assert by_key["x"].as_dict()["engagements"] == 8
        assert by_key["facebook"].as_dict()["engagement_rate"] is None  # no impressions

    def test_linkedin_filter(self, dataset, analyst):
        filters = Filters(SPRING_F.start, SPRING_F.end, network="linkedin")
        assert not selectors.totals(membership=analyst, filters=filters).engagement_available
        points = selectors.timeseries(membership=analyst, filters=filters, unit="month")
        assert all(not p.figures.engagement_available for p in points)
        rows = selectors.breakdown(membership=analyst, filters=filters, dimension="item").rows
        assert rows and all(not r.figures.engagement_available for r in rows)
        x = Filters(SPRING_F.start, SPRING_F.end, network="x")
        assert selectors.totals(membership=analyst, filters=x).engagements == 8

    def test_sorted_by_engagements(self, dataset, analyst):
        rows = selectors.breakdown(
            membership=analyst, filters=SPRING_F, dimension="ambassador", order="engagements"
        ).rows
        assert [(r.key, r.figures.engagements) for r in rows][:2] == [
            (str(dataset.b.pk), 8),
            (str(dataset.a.pk), 3),
        ]

    def test_own_figures(self, dataset):
        t = selectors.totals(membership=dataset.a, filters=SPRING_F, own=True)
        assert (t.engagements, t.impressions, t.engagement_rate) == (3, 0, None)


@pytest.mark.django_db
class TestPages:
    def test_dashboard_shows_the_formulas(self, dataset, analyst):
        html = client_for(analyst).get(DASHBOARD, SPRING).content.decode()
        for kpi in ("engagements", "impressions", "engagement_rate"):
            assert html.count(f'data-kpi="{kpi}"') == 1
        assert "likes + replies + reposts + quotes" in html
        assert "8 ÷ 400 = 2.00%" in html
        assert "shares made through the share dialog cannot be measured" in html
        # The table by network: LinkedIn's engagement cells say why they are empty.
        assert 'title="not available from LinkedIn"' in html

    def test_linkedin_filter_on_the_cards(self, dataset, analyst):
        response = client_for(analyst).get(DASHBOARD, {**SPRING, "network": "linkedin"})
        html = response.content.decode()
        assert not response.context["totals"].engagement_available
        assert "Engagement: not available from LinkedIn." in html
        assert "8 ÷ 400" not in html

    def test_chart_of_engagements(self, dataset, analyst):
        response = client_for(analyst).get(
            DASHBOARD, {**SPRING, "metric": "engagements", "unit": "month"}
        )
        assert response.context["metric"] == "engagements"
        assert [b.value for b in response.context["chart"].bars] == [8, 3]
        assert "posts published through connected accounts only" in response.content.decode()

    def test_my_figures(self, dataset):
        html = client_for(dataset.b).get(ME, SPRING).content.decode()
        assert "8 ÷ 400 = 2.00%" in html

    def test_no_impression_no_rate(self, dataset):
        html = client_for(dataset.a).get(ME, SPRING).content.decode()
        assert "no impression in this period, so no rate" in html

    def test_in_french(self, dataset, analyst):
        client = client_for(analyst)
        client.cookies["django_language"] = "fr"
        response = client.get(DASHBOARD, SPRING, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200


@pytest.mark.django_db
class TestCsvAndApi:
    def test_network_export(self, dataset, analyst):
        rows = read_csv(client_for(analyst).get("/analytics/export/network.csv", SPRING))
        header = rows[0]
        by_key = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
        assert by_key["x"]["Impressions"] == "400"
        assert by_key["x"][
            "Engagement rate (engagements on posts with impressions ÷ impressions)"
        ] == ("0.0200")
        assert by_key["facebook"]["Engagements (likes + replies + reposts + quotes)"] == "3"
        linkedin = by_key["linkedin"]
        assert linkedin["Impressions"] == "not available from LinkedIn"
        assert linkedin["Engagements (likes + replies + reposts + quotes)"] == (
            "not available from LinkedIn"
        )
        assert linkedin["Shares"] == "2"

    def test_series_export(self, dataset, analyst):
        rows = read_csv(
            client_for(analyst).get("/analytics/export/series.csv", {**SPRING, "unit": "month"})
        )
        column = rows[0].index("Engagements (likes + replies + reposts + quotes)")
        assert [r[column] for r in rows[1:]] == ["8", "3"]

    def test_api(self, dataset, analyst):
        api = ApiClient(token_for(analyst))
        data = api.get("/analytics/summary", start="2026-03-01", end="2026-04-30").json()
        totals = data["totals"]
        assert (totals["engagements"], totals["impressions"]) == (11, 400)
        assert totals["impression_engagements"] == 8
        assert totals["engagement_rate"] == "0.0200"
        assert totals["engagement_available"] is True
        for key in ("engagements", "impressions", "engagement_rate"):
            assert key in data["formulas"]
        assert "connected accounts" in data["formulas"]["engagements"]
        rows = api.get(
            "/analytics/breakdown/network",
            start="2026-03-01",
            end="2026-04-30",
            order="engagements",
        ).json()["rows"]
        assert rows[0]["key"] == "x"
        linkedin = next(r["figures"] for r in rows if r["key"] == "linkedin")
        assert linkedin["engagement_available"] is False
        assert linkedin["engagements"] is None and linkedin["impressions"] is None
        assert linkedin["shares"] == 2
        filtered = api.get("/analytics/summary", network="linkedin", start="2026-03-01").json()
        assert filtered["totals"]["engagements"] is None
