"""Pages, CSV exports and the API: who may see them, what they say, and that the page and
the API give the same figures."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.content.models import Campaign
from portevoix.core.spreadsheet import cell_safe as csv_safe
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

SPRING = {"range": "custom", "start": "2026-03-01", "end": "2026-04-30"}
DASHBOARD = "/analytics/"
ME = "/analytics/me/"


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


class TestAccess:
    @pytest.mark.parametrize(
        "role",
        [Role.ADMIN, Role.ANALYST, Role.COMMUNITY_MANAGER, Role.EXECUTIVE, Role.CONTENT_MANAGER],
    )
    def test_org_roles_see_the_dashboard(self, dataset, org, role):
        response = client_for(factories.make_member(org, role)).get(DASHBOARD, SPRING)
        assert response.status_code == 200
        assert response.context["totals"].shares == 4

    @pytest.mark.parametrize("role", [None, Role.APPROVER, Role.FINAL_APPROVER])
    def test_other_roles_are_refused(self, dataset, org, role):
        client = client_for(factories.make_member(org, *([role] if role else [])))
        assert client.get(DASHBOARD).status_code == 403
        assert client.get(ME).status_code == 403
        assert client.get("/analytics/export/item.csv").status_code == 403

    def test_anonymous_is_sent_to_log_in(self, dataset):
        response = Client().get(DASHBOARD)
        assert response.status_code == 302 and "login" in response["Location"]

    def test_an_ambassador_is_sent_to_their_figures(self, dataset):
        client = client_for(dataset.a)
        assert client.get(DASHBOARD)["Location"] == reverse("analytics:me")
        assert client.get("/analytics/export/ambassador.csv").status_code == 403
        response = client.get(ME, SPRING)
        assert response.status_code == 200
        assert response.context["totals"].shares == 2  # A's own two shares
        assert b"Item one" in response.content

    def test_navigation(self, dataset, analyst):
        assert b'href="/analytics/"' in client_for(analyst).get(DASHBOARD).content
        assert b'href="/analytics/me/"' in client_for(dataset.a).get(ME).content

    def test_outsider_filters_are_404(self, dataset, outsider):
        client = client_for(outsider)
        assert client.get(DASHBOARD, {"campaign": dataset.campaign.pk}).status_code == 404
        assert client.get(DASHBOARD, {"team": dataset.paris.pk}).status_code == 404
        assert (
            client.get("/analytics/export/item.csv", {"team": dataset.paris.pk}).status_code == 404
        )
        # Their own dashboard shows none of `org`'s figures.
        response = client.get(DASHBOARD, SPRING)
        assert response.status_code == 200
        assert response.context["totals"].shares == 0
        assert b"Item one" not in response.content

    def test_insider_filters(self, dataset, analyst):
        client = client_for(analyst)
        response = client.get(DASHBOARD, {**SPRING, "campaign": dataset.campaign.pk})
        assert response.context["totals"].shares == 2
        theirs = Campaign.objects.create(
            organization=factories.make_org(), name="Theirs", slug="theirs"
        )
        assert client.get(DASHBOARD, {"campaign": theirs.pk}).status_code == 404


class TestDashboard:
    def test_figures_and_how_they_are_computed(self, dataset, analyst):
        response = client_for(analyst).get(DASHBOARD, SPRING)
        html = response.content.decode()
        assert "Potential reach = Σ over shares of the sharer's audience" in html
        assert "4 shares → 360" in html
        assert "clicks ÷ shares = 5 ÷ 4 = 1.25" in html
        assert "counts in both" in html  # the team table says it
        for title in ("By item", "By campaign", "By team", "By ambassador", "By network"):
            assert title in html
        assert "<svg" in html and 'role="img"' in html
        assert "No campaign" in html

    def test_presets_and_units(self, dataset, analyst):
        client = client_for(analyst)
        response = client.get(DASHBOARD, {"range": "7"})
        assert response.context["filters"].days == 7 and response.context["unit"] == "day"
        response = client.get(DASHBOARD, {"range": "90"})
        assert response.context["unit"] == "week"
        response = client.get(DASHBOARD, {**SPRING, "unit": "month"})
        assert len(response.context["points"]) == 2

    def test_bad_filters_fall_back_to_the_default(self, dataset, analyst):
        response = client_for(analyst).get(DASHBOARD, {"range": "custom", "start": "x"})
        assert response.status_code == 200
        assert response.context["filters"].days == 30

    def test_in_french(self, dataset, analyst):
        client = client_for(analyst)
        client.cookies["django_language"] = "fr"
        html = client.get(DASHBOARD, SPRING, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Portée potentielle" in html
        assert "Par ambassadeur" in html

    def test_query_count_does_not_grow_with_the_data(self, dataset, analyst, org, no_page_cache):
        client = client_for(analyst)
        client.get(DASHBOARD, SPRING)  # warm up (sessions, caches)
        with CaptureQueriesContext(connection) as before:
            assert client.get(DASHBOARD, SPRING).status_code == 200
        for n in range(5):
            member = factories.make_member(org, ambassador=True)
            member.teams.add(dataset.lyon)
            share = events.share(member, dataset.item2, "x", at("2026-03-10"), audience=n)
            events.click(share.link, at("2026-03-10", 20), f"w{n}")
        with CaptureQueriesContext(connection) as after:
            assert client.get(DASHBOARD, SPRING).status_code == 200
        assert len(after.captured_queries) == len(before.captured_queries)
        # 25 for the figures, tables and chart; 8 for the KPIs (their settings, the people
        # counts, active ambassadors, the content mix, EMV by network) and the goals.
        assert len(after.captured_queries) <= 33


class TestCsv:
    @pytest.mark.parametrize("table", ["item", "campaign", "team", "ambassador", "network"])
    def test_every_table_exports(self, dataset, analyst, table):
        response = client_for(analyst).get(f"/analytics/export/{table}.csv", SPRING)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = read_csv(response)
        assert rows[0][:3] == ["id", rows[0][1], "Shares"]
        assert sum(int(r[2]) for r in rows[1:]) >= 4  # teams may count people twice

    def test_content(self, dataset, analyst):
        rows = read_csv(client_for(analyst).get("/analytics/export/item.csv", SPRING))
        assert rows[0] == [
            "id",
            "Item",
            "Shares",
            "Original posts",
            "Potential reach",
            "Clicks",
            "Unique visitors",
            "Clicks per share (clicks ÷ shares)",
            "Conversions",
            "Conversion value",
            "Engagements (likes + replies + reposts + quotes)",
            "Impressions",
            "Engagements on posts with impressions",
            "Engagement rate (engagements on posts with impressions ÷ impressions)",
        ]
        assert rows[1] == [
            str(dataset.item1.pk),
            "Item one",
            "2",
            "1",
            "150",
            "4",
            "4",
            "2.00",
            "0",
            "0.00",
            "8",
            "400",
            "8",
            "0.0200",
        ]

    def test_series(self, dataset, analyst):
        rows = read_csv(
            client_for(analyst).get("/analytics/export/series.csv", {**SPRING, "unit": "month"})
        )
        assert [r[0] for r in rows[1:]] == ["2026-03-01", "2026-04-01"]
        assert rows[2][7] == "1"  # conversions in April

    def test_my_export(self, dataset):
        rows = read_csv(client_for(dataset.a).get("/analytics/me/export/network.csv", SPRING))
        assert {r[0] for r in rows[1:]} == {"linkedin", "facebook"}

    def test_unknown_table(self, dataset, analyst):
        assert client_for(analyst).get("/analytics/export/secrets.csv").status_code == 404

    def test_formula_injection_is_defused(self, dataset, analyst, manager, approver):
        evil = factories.make_live_item(manager, approver, title='=HYPERLINK("http://x")')
        share = events.share(dataset.a, evil, "x", at("2026-03-20"), audience=1)
        events.click(share.link, at("2026-03-20", 13), "v9")
        rows = read_csv(client_for(analyst).get("/analytics/export/item.csv", SPRING))
        labels = [r[1] for r in rows[1:]]
        assert '\'=HYPERLINK("http://x")' in labels
        for value in ("=1", "+1", "-1", "@x", "\tx"):
            assert csv_safe(value).startswith("'")
        assert csv_safe("ok") == "ok" and csv_safe(3) == 3


class TestApi:
    def api(self, membership) -> ApiClient:
        return ApiClient(token_for(membership))

    def test_summary_agrees_with_the_page(self, dataset, analyst):
        page = client_for(analyst).get(DASHBOARD, SPRING).context
        body = self.api(analyst).get("/analytics/summary", start="2026-03-01", end="2026-04-30")
        assert body.status_code == 200
        data = body.json()
        totals = page["totals"]
        assert data["totals"]["shares"] == totals.shares == 4
        assert data["totals"]["potential_reach"] == totals.potential_reach
        assert data["totals"]["clicks"] == totals.clicks
        assert data["totals"]["conversions"] == totals.conversions
        assert data["totals"]["conversion_value"] == "20.00"
        assert data["totals"]["click_through"] == "1.25"
        assert "potential_reach" in data["formulas"]

    @pytest.mark.parametrize("dimension", ["item", "campaign", "team", "ambassador", "network"])
    def test_breakdowns_agree_with_the_page(self, dataset, analyst, dimension):
        page = client_for(analyst).get(DASHBOARD, SPRING).context
        table = next(t for t in page["tables"] if t.dimension == dimension)
        data = (
            self.api(analyst)
            .get(f"/analytics/breakdown/{dimension}", start="2026-03-01", end="2026-04-30")
            .json()
        )
        assert [
            (r["key"], r["figures"]["shares"], r["figures"]["clicks"]) for r in data["rows"]
        ] == [(r.key, r.figures.shares, r.figures.clicks) for r in table.breakdown.rows]

    def test_timeseries_agrees_with_the_page(self, dataset, analyst):
        page = client_for(analyst).get(DASHBOARD, {**SPRING, "unit": "week"}).context
        data = (
            self.api(analyst)
            .get("/analytics/timeseries", start="2026-03-01", end="2026-04-30", unit="week")
            .json()
        )
        assert [(p["start"], p["figures"]["clicks"]) for p in data["points"]] == [
            (str(p.start), p.figures.clicks) for p in page["points"]
        ]

    def test_an_ambassador_gets_their_own(self, dataset):
        data = (
            self.api(dataset.a)
            .get("/analytics/summary", start="2026-03-01", end="2026-04-30")
            .json()
        )
        assert data["filters"]["scope"] == "own"
        assert data["totals"]["shares"] == 2
        rows = (
            self.api(dataset.a)
            .get("/analytics/breakdown/ambassador", start="2026-03-01", end="2026-04-30")
            .json()["rows"]
        )
        assert [r["key"] for r in rows] == [str(dataset.a.pk)]

    def test_refused_and_not_found(self, dataset, org, outsider):
        plain = self.api(factories.make_member(org))
        assert plain.get("/analytics/summary").status_code == 403
        other = self.api(outsider)
        assert other.get("/analytics/summary", campaign_id=dataset.campaign.pk).status_code == 404
        assert other.get("/analytics/timeseries", team_id=dataset.paris.pk).status_code == 404
        assert other.get("/analytics/breakdown/nope").status_code == 422
        assert ApiClient(None).get("/analytics/summary").status_code == 401


def test_edited_dates_win_over_a_preset(dataset, analyst):
    shown = "2026-03-01/2026-03-31"
    edited = {"range": "30", "start": "2026-03-01", "end": "2026-04-30", "shown": shown}
    response = client_for(analyst).get(DASHBOARD, edited)
    assert response.context["preset"] == "custom"
    assert response.context["totals"].shares == 4
    # A new preset with the dates as they were shown: the preset wins.
    switched = {"range": "7", "start": "2026-03-01", "end": "2026-03-31", "shown": shown}
    response = client_for(analyst).get(DASHBOARD, switched)
    assert response.context["preset"] == "7" and response.context["filters"].days == 7


def test_each_figure_card_has_a_stable_hook(dataset, analyst):
    html = client_for(analyst).get(DASHBOARD, SPRING).content.decode()
    for name in ("shares", "clicks", "click_through", "potential_reach", "conversion_value"):
        assert html.count(f'data-kpi="{name}"') == 1
