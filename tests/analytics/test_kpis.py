"""The KPIs against hand-computed figures of the analytics dataset (tests/analytics/
conftest.py), March 2026: 3 shares (A on LinkedIn, audience 100; B on X, 50; C on LinkedIn,
10), 5 counted clicks (3 + 1 + C's visitor once), B's X post 8 engagements of 400
impressions; 7 members of whom 3 ambassadors. EMV with the organization's own rates; the
settings page (owner, member, outsider); the dashboard shows the formulas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.analytics import services
from portevoix.analytics.selectors import Filters
from portevoix.analytics.selectors import kpis as kpi_selectors
from portevoix.content.models import ContentItem
from portevoix.core.errors import DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
RATES = {"linkedin": Decimal("30"), "x": Decimal("10"), "facebook": Decimal("8"),
         "mastodon": Decimal("5"), "bluesky": Decimal("5"), "threads": Decimal("6")}  # fmt: skip


def by_key(result):
    return {kpi.key: kpi for kpi in result.kpis}


def set_rates(admin, **overrides: Any):
    values: dict[str, Any] = {
        "currency": "EUR",
        "cpm": RATES,
        "cpc": Decimal("2"),
        "per_engagement": Decimal("0.5"),
        "mix_target": 80,
    }
    values.update(overrides)
    return services.insight_settings_update(actor=admin, data=services.InsightData(**values))


def test_every_kpi_against_the_hand_computed_figures(dataset, admin):
    ContentItem.objects.filter(pk=dataset.item2.pk).update(content_type="industry_news")
    set_rates(admin)
    result = kpi_selectors.kpis(membership=admin, filters=MARCH)
    kpis = by_key(result)
    rate = kpis["engagement_rate"]
    assert (rate.value, rate.basis) == (Decimal("2.00"), "measured")
    assert rate.formula == "8 engagements ÷ 400 measured impressions"
    assert kpis["clicks_per_share"].value == Decimal("1.67")
    assert kpis["clicks_per_share"].formula == "5 clicks ÷ 3 shares"
    assert kpis["active_rate"].value == Decimal("100.00")
    # 3 ambassadors of 7 members (the organization's owner, admin, manager, approver, A, B, C).
    assert kpis["participation_rate"].value == Decimal("42.86")
    # A and B shared item 1 (company news), C item 2 (sector news): 2 of 3 shares; A and B
    # keep to 80 %, C does not.
    assert kpis["content_mix"].value == Decimal("66.67")
    assert kpis["content_mix"].target == 80
    assert kpis["mix_kept"].value == Decimal("66.67")
    # EMV: LinkedIn reports no impressions: 110 potential reach / 1000 x 30 = 3.30
    # (estimate); X: 400 impressions / 1000 x 10 = 4.00; 5 clicks x 2 = 10.00;
    # 8 engagements x 0.50 = 4.00. Total 21.30, partly estimated.
    emv = kpis["emv"]
    assert (emv.value, emv.unit, emv.basis) == (Decimal("21.30"), "EUR", "mixed")
    parts = {part.label: (part.amount, part.basis) for part in result.emv_parts}
    assert parts == {
        "Reach on LinkedIn": (Decimal("3.30"), "estimated"),
        "Reach on X": (Decimal("4.00"), "measured"),
        "Clicks": (Decimal("10.00"), "measured"),
        "Engagements": (Decimal("4.00"), "measured"),
    }


def test_without_measured_impressions_the_rate_says_it_is_an_estimate(dataset, admin):
    # March 30-31: C's LinkedIn share only (audience 10), no engagement measured.
    late = Filters(dt.date(2026, 3, 30), dt.date(2026, 3, 31))
    rate = by_key(kpi_selectors.kpis(membership=admin, filters=late))["engagement_rate"]
    assert (rate.value, rate.basis) == (Decimal("0.00"), "estimated")
    assert "potential reach" in rate.formula
    empty = Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    nothing = by_key(kpi_selectors.kpis(membership=admin, filters=empty))
    assert nothing["clicks_per_share"].value is None and nothing["content_mix"].value is None


def test_a_team_filter_counts_the_team(dataset, admin):
    lyon = Filters(MARCH.start, MARCH.end, team_id=dataset.lyon.pk)  # B alone
    kpis = by_key(kpi_selectors.kpis(membership=admin, filters=lyon))
    assert kpis["clicks_per_share"].formula == "1 clicks ÷ 1 shares"
    assert kpis["participation_rate"].value == Decimal("100.00")  # B, the one member


def test_settings_refuse_bad_rates_and_need_the_right(org, admin, analyst):
    with pytest.raises(DomainError) as caught:
        set_rates(admin, cpc=Decimal("-1"))
    assert "cpc" in caught.value.field_errors
    with pytest.raises(DomainError):
        set_rates(admin, currency="XXX")
    set_rates(analyst, mix_target=70)
    executive = factories.make_member(org, Role.EXECUTIVE, email="exec@acme.test")
    with pytest.raises(PermissionDenied):
        set_rates(executive)
    with pytest.raises(PermissionDenied):
        kpi_selectors.kpis(membership=factories.make_member(org, ambassador=True), filters=MARCH)


def login(membership, lang="en") -> Client:
    client = Client()
    client.force_login(membership.user)
    client.cookies["django_language"] = lang
    return client


def test_the_settings_page(org, admin, outsider):
    url = reverse("analytics:kpi_settings")
    page = login(admin).get(url)
    assert page.status_code == 200 and "CPM on LinkedIn" in page.content.decode()
    form = {"currency": "USD", "cpc": "1.25", "per_engagement": "0.10", "mix_target": "75"}
    form |= {f"cpm_{code}": "12" for code in RATES}
    assert login(admin).post(url, form).status_code == 302
    row = kpi_selectors.insight_settings(org.pk)
    assert (row.currency, row.cpc, row.mix_target, row.cpm_for("x")) == (
        "USD", Decimal("1.25"), 75, Decimal("12.00"),
    )  # fmt: skip
    assert login(admin).post(url, {**form, "mix_target": "140"}).status_code == 400
    member = factories.make_member(org, Role.EXECUTIVE, email="exec@acme.test")
    assert login(member).get(url).status_code == 403
    # The outsider changes their own organization's settings, never this one's.
    assert login(outsider).post(url, {**form, "currency": "GBP"}).status_code == 302
    assert kpi_selectors.insight_settings(org.pk).currency == "USD"


def test_the_dashboard_shows_each_kpi_with_its_formula(dataset, admin):
    params = {"range": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    text = login(admin).get(reverse("analytics:dashboard"), params).content.decode()
    assert "8 engagements ÷ 400 measured impressions" in text
    assert "Earned media value" in text and "Partly estimated" in text
    french = login(admin, "fr").get(reverse("analytics:dashboard"), params).content.decode()
    assert "Valeur média acquise" in french and "impressions mesurées" in french
    assert "KPI settings" in text
    ambassador_page = login(dataset.a).get(reverse("analytics:me"), params).content.decode()
    assert "Earned media value" not in ambassador_page
