"""The reports' contents against the hand-made dataset (tests/analytics/conftest.py): top
content in order, hidden ambassadors never named, trends against the previous period,
goals, KPIs and EMV; the periods; the pages, PDF, XLSX and CSV; who may read them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.analytics import services
from portevoix.analytics.selectors import reports
from portevoix.core.errors import NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)  # a Sunday
MARCH = dt.date(2026, 3, 1)
FIRST_WEEK = dt.date(2026, 3, 2)  # Monday; A's share that day, B's on Sunday the 8th


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


class TestPeriods:
    def test_last_full_week_and_month(self):
        assert reports.last_full("weekly", TODAY) == reports.Period(
            "weekly", dt.date(2026, 11, 23), dt.date(2026, 11, 29)
        )
        monday = dt.date(2026, 12, 7)
        assert reports.last_full("weekly", monday).start == dt.date(2026, 11, 30)
        assert reports.last_full("monthly", TODAY) == reports.Period(
            "monthly", dt.date(2026, 11, 1), dt.date(2026, 11, 30)
        )
        assert reports.last_full("monthly", dt.date(2026, 3, 1)).start == dt.date(2026, 2, 1)

    def test_any_past_period_by_a_day_in_it(self):
        found = reports.period_for("weekly", dt.date(2026, 3, 5), today=TODAY)
        assert (found.start, found.end) == (FIRST_WEEK, dt.date(2026, 3, 8))
        found = reports.period_for("monthly", dt.date(2026, 2, 14), today=TODAY)
        assert (found.start, found.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
        with pytest.raises(NotFound):  # this week has not ended
            reports.period_for("weekly", dt.date(2026, 12, 1), today=TODAY)
        with pytest.raises(NotFound):
            reports.period_for("daily", None, today=TODAY)

    def test_recent_periods_newest_first(self):
        found = reports.recent_periods("monthly", TODAY, 3)
        assert [p.start for p in found] == [
            dt.date(2026, 11, 1),
            dt.date(2026, 10, 1),
            dt.date(2026, 9, 1),
        ]


class TestContents:
    def test_monthly_report_of_march(self, dataset, admin):
        found = reports.report(membership=admin, kind="monthly", start=MARCH, today=TODAY)
        assert found.period == reports.Period("monthly", MARCH, dt.date(2026, 3, 31))
        current = found.comparison.current
        assert (current.shares, current.clicks, current.potential_reach) == (3, 5, 160)
        # Trends against February (nothing then): +3 shares, no percentage.
        changes = found.comparison.changes
        assert changes["shares"].delta == 3 and changes["shares"].percent is None
        assert found.comparison.previous_start == dt.date(2026, 2, 1)
        # Top content by clicks: item one (3 + 1), then item two (1).
        assert [row.label for row in found.top_items] == ["Item one", "Item two"]
        assert [row.figures.clicks for row in found.top_items] == [4, 1]
        # Top ambassadors by name as they chose: A (3 clicks), then B and C (1 each).
        names = [row.label for row in found.top_people]
        assert names[0] == factories_name(dataset.a) and len(names) == 3
        # EMV with its measured / estimated label; KPIs from the same figures.
        emv = next(k for k in found.kpis.kpis if k.key == "emv")
        assert emv.basis in {"measured", "estimated", "mixed"} and emv.basis_text
        clicks_part = next(p for p in found.kpis.emv_parts if "click" in p.formula.lower())
        assert clicks_part.amount == Decimal("7.50")  # 5 clicks x 1.50
        # The trend chart: six months, March last.
        assert len(found.trend) == 6 and found.trend[-1].start == MARCH
        assert found.trend[-1].figures.clicks == 5
        assert len(found.days) == 31
        # Two posts ready to copy: the top items' suggested text and link.
        assert [p.title for p in found.ready_posts] == ["Item one", "Item two"]
        assert found.ready_posts[0].text.startswith("Nous recrutons")
        assert found.ready_posts[0].link == "https://example.org/jobs/42"

    def test_trend_against_the_previous_month(self, dataset, admin):
        april = reports.report(
            membership=admin, kind="monthly", start=dt.date(2026, 4, 1), today=TODAY
        )
        changes = april.comparison.changes
        assert (changes["shares"].current, changes["shares"].previous) == (1, 3)
        assert changes["shares"].percent == Decimal("-66.7")
        assert changes["clicks"].direction == "down"
        assert changes["conversions"].delta == 1

    def test_weekly_report_has_no_ready_posts_and_eight_weeks(self, dataset, admin):
        found = reports.report(membership=admin, kind="weekly", start=FIRST_WEEK, today=TODAY)
        assert (found.comparison.current.shares, found.comparison.current.clicks) == (2, 4)
        assert found.ready_posts == []
        assert len(found.trend) == 8 and found.trend[-1].start == FIRST_WEEK
        assert len(found.days) == 7

    def test_who_chose_not_to_appear_is_not_named(self, dataset, admin):
        account_services.visibility_set(membership=dataset.a, visibility="hidden")
        account_services.visibility_set(membership=dataset.b, visibility="pseudonym")
        found = reports.report(membership=admin, kind="monthly", start=MARCH, today=TODAY)
        names = [row.label for row in found.top_people]
        assert factories_name(dataset.a) not in names
        assert factories_name(dataset.b) not in names and len(names) == 2
        assert all(row.key != str(dataset.a.pk) for row in found.top_people)
        # A's clicks still count in the totals.
        assert found.comparison.current.clicks == 5
        page = client_for(admin).get("/analytics/reports/monthly/", {"start": "2026-03-10"})
        assert factories_name(dataset.a) not in page.content.decode()

    def test_goals_running_in_the_period(self, dataset, admin):
        services.goal_create(
            actor=admin,
            data=services.GoalData(
                name="Cent clics au printemps",
                metric="clicks",
                target=Decimal(100),
                start=dt.date(2026, 3, 1),
                deadline=dt.date(2026, 5, 31),
            ),
        )
        services.goal_create(
            actor=admin,
            data=services.GoalData(
                name="Plus tard",
                metric="clicks",
                target=Decimal(10),
                start=dt.date(2026, 6, 1),
                deadline=dt.date(2026, 6, 30),
            ),
        )
        found = reports.report(membership=admin, kind="monthly", start=MARCH, today=TODAY)
        assert [g.goal.name for g in found.goals] == ["Cent clics au printemps"]
        assert found.goals[0].value == Decimal(5)  # as of March 31st

    def test_reading_needs_the_organizations_figures(self, dataset, org, ambassador):
        with pytest.raises(PermissionDenied):
            reports.report(membership=ambassador, kind="weekly")


def factories_name(membership) -> str:
    membership.user.refresh_from_db()
    return membership.user.full_name or membership.user.email


class TestPages:
    def test_list_and_report_for_readers(self, dataset, org, admin):
        executive = factories.make_member(org, Role.EXECUTIVE)
        client = client_for(executive)
        listing = client.get("/analytics/reports/")
        assert listing.status_code == 200
        assert "Weekly team report" in listing.content.decode()
        page = client.get("/analytics/reports/monthly/", {"start": "2026-03-10"})
        assert page.status_code == 200
        body = page.content.decode()
        assert "Monthly management report" in body and "Item one" in body
        assert "Best posts, ready to copy" in body and "<svg" in body
        # No schedule link for an executive (report.manage is the admins' and analysts').
        assert "/analytics/reports/schedules/" not in listing.content.decode()
        assert client.get("/analytics/reports/schedules/").status_code == 403

    def test_refused_missing_and_wrong_method(self, dataset, org, ambassador, outsider):
        assert client_for(ambassador).get("/analytics/reports/").status_code == 403
        assert client_for(ambassador).get("/analytics/reports/weekly/").status_code == 403
        assert client_for(factories.make_member(org)).get("/analytics/reports/").status_code == 403
        admin = factories.make_member(org, Role.ADMIN)
        client = client_for(admin)
        assert client.get("/analytics/reports/daily/").status_code == 404
        assert client.get("/analytics/reports/weekly/", {"start": "nope"}).status_code == 404
        assert client.get("/analytics/reports/weekly/", {"start": "2099-01-05"}).status_code == 404
        assert client.post("/analytics/reports/weekly/").status_code == 405
        assert client.get("/analytics/reports/schedules/weekly/").status_code == 405
        assert client.get("/analytics/reports/monthly/csv/", {"table": "x"}).status_code == 404
        assert Client().get("/analytics/reports/").status_code == 302
        # An outsider reads their own organization's report: none of Acme's figures.
        other = client_for(outsider).get("/analytics/reports/monthly/", {"start": "2026-03-01"})
        assert other.status_code == 200 and "Item one" not in other.content.decode()

    def test_report_page_queries_are_bounded(
        self, dataset, org, admin, django_assert_max_num_queries, no_page_cache
    ):
        client = client_for(admin)
        client.get("/analytics/reports/monthly/", {"start": "2026-03-01"})  # warm caches
        with CaptureQueriesContext(connection) as few:
            client.get("/analytics/reports/monthly/", {"start": "2026-03-01"})
        for n in range(5):  # more people, items and shares: the same number of queries
            person = factories.make_member(org, email=f"more{n}@acme.test", ambassador=True)
            from tests.analytics import events
            from tests.analytics.conftest import at

            events.share(person, dataset.item2, "x", at("2026-03-20"), audience=5)
        with CaptureQueriesContext(connection) as more:
            client.get("/analytics/reports/monthly/", {"start": "2026-03-01"})
        assert len(more) == len(few)
        assert len(few) <= 26  # session, frame, and two to four per section of the report


class TestFiles:
    def test_pdf_is_a_pdf_with_the_titles_and_figures(self, dataset, admin):
        response = client_for(admin).get("/analytics/reports/monthly/pdf/", {"start": "2026-03-01"})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Monthly management report" in text
        assert "Top content" in text and "Item one" in text
        assert "Earned media value" in text and "Best posts, ready to copy" in text
        assert "Nous recrutons" in text
        # Every font of the file, the page footer's included, is the report's sans family.
        fonts: set[str] = set()
        for page in reader.pages:
            resources: Any = page["/Resources"]
            fonts.update(str(font["/BaseFont"]) for font in resources["/Font"].values())
        assert fonts and not [name for name in fonts if "Serif" in name], fonts

    def test_pdf_in_french(self, dataset, admin):
        client = client_for(admin)
        client.cookies["django_language"] = "fr"
        response = client.get("/analytics/reports/weekly/pdf/", {"start": "2026-03-02"})
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        assert "Rapport hebdomadaire" in text and "Contenus les plus performants" in text

    def test_xlsx_one_sheet_per_table(self, dataset, admin):
        response = client_for(admin).get(
            "/analytics/reports/monthly/xlsx/", {"start": "2026-03-01"}
        )
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[:5] == [
            "Figures and changes",
            "KPIs",
            "Goals",
            "Top content",
            "Top ambassadors",
        ]
        assert "Posts ready to copy" in book.sheetnames
        top = list(book["Top content"].iter_rows(values_only=True))
        assert top[0][:2] == ("id", "Item") and [r[1] for r in top[1:]] == ["Item one", "Item two"]
        figures = {r[0]: r[1:] for r in book["Figures and changes"].iter_rows(values_only=True)}
        assert figures["Shares"][0] == 3 and figures["Clicks"][0] == 5

    def test_csv_one_table_or_a_zip(self, dataset, admin):
        client = client_for(admin)
        one = client.get(
            "/analytics/reports/weekly/csv/", {"start": "2026-03-02", "table": "top_content"}
        )
        assert one.status_code == 200
        lines = one.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("id,Item") and "Item one" in lines[1]
        archive = client.get("/analytics/reports/weekly/csv/", {"start": "2026-03-02"})
        names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
        assert "portevoix-weekly-report-2026-03-02-figures.csv" in names
        assert len(names) == 8  # no ready posts in a weekly report


def test_the_pdf_falls_back_to_the_system_font(dataset, admin, settings, tmp_path):
    from portevoix.analytics import report_render

    report_render.font_face_css.cache_clear()
    try:
        if report_render.font_dir().is_dir():  # `make install` (npm ci) put Inter there
            assert "font-family: 'Inter'" in report_render.font_face_css()
        settings.BASE_DIR = tmp_path  # no node_modules: DejaVu Sans and the others
        report_render.font_face_css.cache_clear()
        assert report_render.font_face_css() == ""
        assert report_render.font_family().startswith("'DejaVu Sans'")
        found = reports.report(membership=admin, kind="weekly", start=FIRST_WEEK, today=TODAY)
        pdf = report_render.pdf_bytes(found)
        assert "Weekly team report" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    finally:
        report_render.font_face_css.cache_clear()
