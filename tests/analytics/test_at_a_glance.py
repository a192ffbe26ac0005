"""The dashboards at a glance: each figure against the previous period (absolute and %,
"—" when the previous period had none), top content and top ambassadors (without those who
chose not to appear), sortable tables with a totals row, the honest labels ("Clicks per
share", one figure for clicks and unique visitors) in English and French, a constant
number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portevoix.accounts import services as account_services
from portevoix.analytics import selectors
from portevoix.analytics.selectors.comparison import Change
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at

pytestmark = pytest.mark.django_db

SPRING = {"range": "custom", "start": "2026-03-01", "end": "2026-04-30"}
APRIL = {"range": "custom", "start": "2026-04-01", "end": "2026-04-30"}
DASHBOARD = "/analytics/"
ME = "/analytics/me/"


def client_for(membership, lang: str = "en") -> Client:
    client = Client()
    client.force_login(membership.user)
    client.cookies["django_language"] = lang
    return client


def get(client: Client, url: str, params: dict, lang: str = "en"):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response


def name(membership) -> str:
    return membership.user.display_name


class TestPeriodComparison:
    def test_april_against_march(self, dataset, org):
        # April 1-30 (30 days) against March 2-31: A's share of March 2nd is in.
        result = selectors.period_comparison(org.pk, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
        assert (result.previous_start, result.previous_end) == (
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 31),
        )
        assert result.current.shares == 1 and result.previous.shares == 3
        changes = result.changes
        assert (changes["shares"].delta, changes["shares"].percent) == (-2, Decimal("-66.7"))
        assert changes["shares"].direction == "down"
        assert (changes["clicks"].current, changes["clicks"].previous) == (0, 5)
        assert changes["clicks"].percent == Decimal("-100.0")
        assert changes["clicks_per_share"].current == Decimal("0.00")
        assert changes["clicks_per_share"].previous == Decimal("1.67")

    def test_a_previous_period_of_zero_has_no_percentage(self, dataset, org):
        result = selectors.period_comparison(org.pk, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
        conversions = result.changes["conversions"]
        assert (conversions.current, conversions.previous, conversions.delta) == (1, 0, 1)
        assert conversions.percent is None and conversions.direction == "up"
        # March against February: nothing before, every percentage is "—".
        march = selectors.period_comparison(org.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert march.previous.shares == 0
        assert all(c.percent is None for c in march.changes.values())
        assert march.changes["clicks_per_share"].delta is None  # no share before: no ratio

    def test_change_arithmetic(self):
        assert Change("x", 150, 100).percent == Decimal("50.0")
        assert Change("x", 100, 100).direction == "same"
        assert Change("x", None, 3).delta is None and Change("x", None, 3).direction == ""

    def test_other_organizations_are_not_counted(self, dataset, other_org):
        result = selectors.period_comparison(
            other_org.pk, dt.date(2026, 3, 1), dt.date(2026, 4, 30)
        )
        assert result.current.shares == 0

    def test_the_page_shows_the_changes(self, dataset, analyst):
        html = get(client_for(analyst), DASHBOARD, APRIL).content.decode()
        assert "against the previous period of the same length" in html
        assert "previous period: 3" in html  # shares
        assert "-2 (-66.7%)" in html
        assert 'title="The previous period had none: no percentage."' in html

    def test_in_french(self, dataset, analyst):
        html = get(client_for(analyst, "fr"), DASHBOARD, APRIL, "fr").content.decode()
        assert "période précédente : 3" in html
        assert "-66,7\u00a0%" in html


class TestTop:
    def test_top_content_and_ambassadors(self, dataset, analyst):
        response = get(client_for(analyst), DASHBOARD, SPRING)
        assert [r.label for r in response.context["top_items"]] == ["Item one", "Item two"]
        people = [r.label for r in response.context["top_people"]]
        assert people == [name(dataset.a), name(dataset.b), name(dataset.c)]
        assert "Top content" in response.content.decode()

    def test_those_who_chose_not_to_appear_are_left_out(self, dataset, analyst):
        account_services.visibility_set(membership=dataset.a, visibility="hidden")
        response = get(client_for(analyst), DASHBOARD, SPRING)
        people = [r.label for r in response.context["top_people"]]
        assert people == [name(dataset.b), name(dataset.c)]
        html = response.content.decode()
        assert name(dataset.a) not in html
        assert "An ambassador who chose not to be named" in html
        # Their figures still count.
        assert response.context["totals"].clicks == 5
        # They change their mind.
        account_services.visibility_set(membership=dataset.a, visibility="name")
        response = get(client_for(analyst), DASHBOARD, SPRING)
        assert response.context["top_people"][0].label == name(dataset.a)

    def test_a_pseudonym_is_shown_instead_of_the_name(self, dataset, analyst):
        account_services.visibility_set(
            membership=dataset.a, visibility="pseudonym", pseudonym="Le Renard"
        )
        response = get(client_for(analyst), DASHBOARD, SPRING)
        people = [r.label for r in response.context["top_people"]]
        assert people == ["Le Renard", name(dataset.b), name(dataset.c)]
        assert name(dataset.a) not in response.content.decode()

    def test_the_choice_on_my_figures(self, dataset):
        """ "My figures" says how others see you and links to the one place to change it
        (the choice is saved on /recognition/me/, for every page)."""
        client = client_for(dataset.a)
        html = get(client, ME, SPRING).content.decode()
        assert "Others see your name in the top ambassadors" in html
        assert 'href="/recognition/me/#my-visibility"' in html
        assert client.get("/analytics/me/visibility/").status_code == 404  # the old form
        response = client.post("/recognition/me/visibility/", {"visibility": "hidden"})
        assert response.status_code == 302
        assert selectors.hidden_ambassadors(organization_id=dataset.org.pk) == {dataset.a.pk}
        client.post("/recognition/me/visibility/", {"visibility": "hidden"})  # idempotent
        assert "Others do not see you" in get(client, ME, SPRING).content.decode()
        client.post("/recognition/me/visibility/", {"visibility": "name"})
        assert selectors.hidden_ambassadors(organization_id=dataset.org.pk) == set()

    def test_in_french(self, dataset):
        account_services.visibility_set(
            membership=dataset.a, visibility="pseudonym", pseudonym="Le Renard"
        )
        html = get(client_for(dataset.a, "fr"), ME, SPRING, "fr").content.decode()
        assert "Changer la façon dont vous apparaissez" in html
        assert "Le Renard" in html

    def test_the_choice_is_per_organization(self, dataset, outsider):
        account_services.visibility_set(membership=dataset.a, visibility="hidden")
        assert selectors.hidden_ambassadors(organization_id=outsider.organization_id) == set()

    def test_only_signed_in_members_choose(self, dataset):
        response = Client().post("/recognition/me/visibility/", {"visibility": "hidden"})
        assert response.status_code == 302 and "/login" in response["Location"]
        assert selectors.hidden_ambassadors(organization_id=dataset.org.pk) == set()


class TestTables:
    def test_sort_by_a_column(self, dataset, analyst):
        response = get(client_for(analyst), DASHBOARD, {**SPRING, "sort": "shares"})
        assert response.context["order"] == "shares"
        tables = {t.dimension: t for t in response.context["tables"]}
        assert tables["ambassador"].breakdown.rows[0].label == name(dataset.a)
        assert tables["network"].breakdown.rows[0].label == "LinkedIn"
        html = response.content.decode()
        assert 'aria-sort="descending"' in html
        assert "sort=conversions" in html  # every sortable header links

    def test_an_unknown_sort_is_ignored(self, dataset, analyst):
        client = client_for(analyst)
        for bad in ("password", "clicks;drop", "-clicks", "click_through"):
            response = get(client, DASHBOARD, {**SPRING, "sort": bad})
            assert response.context["order"] == "clicks"

    def test_totals_row(self, dataset, analyst):
        html = get(client_for(analyst), DASHBOARD, SPRING).content.decode()
        assert html.count("Total for the period") == 4  # item, campaign, ambassador, network
        assert "All ambassadors (period total)" in html  # the team table
        assert html.count('<tr class="totals-row">') == 5


class TestLabels:
    def test_english(self, dataset, analyst):
        html = get(client_for(analyst), DASHBOARD, SPRING).content.decode()
        assert "Clicks per share" in html
        assert "Click-through" not in html
        assert "Clicks (unique visitors)" in html
        assert "Unique visitors are therefore equal to clicks, by construction." in html
        assert 'data-kpi="unique_visitors"' not in html
        assert html.count("<summary>How is this computed?</summary>") >= 10

    def test_french(self, dataset, analyst):
        html = get(client_for(analyst, "fr"), DASHBOARD, SPRING, "fr").content.decode()
        assert "Clics par partage" in html
        assert "Clics (visiteurs uniques)" in html
        assert "Comment est-ce calculé ?" in html
        assert "égaux aux clics, par construction" in html


class TestQueries:
    def test_constant_number_of_queries(
        self, dataset, analyst, manager, approver, org, no_page_cache
    ):
        client = client_for(analyst)
        get(client, DASHBOARD, SPRING)
        with CaptureQueriesContext(connection) as few:
            get(client, DASHBOARD, SPRING)
        baseline = len(few)  # before the next request clears the log
        for n in range(4):
            item = factories.make_live_item(manager, approver, title=f"More {n}")
            person = factories.make_member(org, email=f"more{n}@acme.test", ambassador=True)
            share = events.share(person, item, "x", at("2026-03-10"), audience=5)
            events.click(share.link, at("2026-03-10", 14), f"w{n}")
            account_services.visibility_set(
                membership=person, visibility=("name", "hidden", "pseudonym", "")[n]
            )
        get(
            client, DASHBOARD, SPRING
        )  # the writes moved the page frame's versions (accounts/frame.py)
        with CaptureQueriesContext(connection) as many:
            get(client, DASHBOARD, SPRING)
        assert len(many) == baseline
