"""CSV and XLSX of every table and chart of the dashboards, read back; formula cells
neutralized in both formats; the shared writer of core.spreadsheet (rewards uses it)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from portevoix.accounts import services as account_services
from portevoix.analytics import exports
from portevoix.core import spreadsheet
from portevoix.rewards import exports as reward_exports
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at

pytestmark = pytest.mark.django_db

SPRING = {"range": "custom", "start": "2026-03-01", "end": "2026-04-30"}
EVIL = [
    '=HYPERLINK("http://evil.example/x","click")',
    "+41 cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_xlsx(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 1
    return list(book[book.sheetnames[0]].iter_rows(values_only=True))


def test_the_core_writer_neutralizes_formulas():
    sheet = spreadsheet.Sheet("=Bad/Title?", ["=h"], [[value, -5, 2.5] for value in EVIL])
    lines = list(csv.reader(io.StringIO(spreadsheet.csv_text(sheet))))
    assert lines[0] == ["'=h"]
    assert [row[0] for row in lines[1:]] == ["'" + value for value in EVIL]
    assert lines[1][1:] == ["-5", "2.5"]  # numbers stay numbers
    book = load_workbook(io.BytesIO(spreadsheet.xlsx_bytes([sheet, sheet])))
    assert book.sheetnames == ["=Bad Title", "=Bad Title (2)"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["'" + value for value in EVIL]
    assert rows[1][1] == -5 and book.worksheets[0]["A2"].data_type == "s"
    # Rewards' HR export writes through the same module.
    assert reward_exports.cell_safe is spreadsheet.cell_safe


def test_every_dashboard_table_has_csv_and_xlsx_links(dataset, admin):
    import datetime as dt
    from decimal import Decimal

    from portevoix.analytics import services
    from portevoix.analytics.selectors import goals as goal_selectors

    today = goal_selectors.today()
    services.goal_create(
        actor=admin,
        data=services.GoalData(
            name="Clics",
            metric="clicks",
            target=Decimal(10),
            start=today - dt.timedelta(days=3),
            deadline=today + dt.timedelta(days=3),
            visible_to_ambassadors=True,
        ),
    )
    page = client_for(admin).get("/analytics/", SPRING).content.decode()
    for table in exports.ORG_EXPORTS:
        assert f"/analytics/export/{table}.csv?" in page, table
        assert f"/analytics/export/{table}.xlsx?" in page, table
    mine = client_for(dataset.a).get("/analytics/me/", SPRING).content.decode()
    for table in exports.OWN_EXPORTS:
        assert f"/analytics/me/export/{table}.xlsx?" in mine, table
    assert "/analytics/me/export/ambassador" not in mine


@pytest.mark.parametrize("table", exports.ORG_EXPORTS)
def test_every_table_reads_back_the_same_in_csv_and_xlsx(dataset, admin, table):
    client = client_for(admin)
    as_csv = read_csv(client.get(f"/analytics/export/{table}.csv", SPRING))
    as_xlsx = read_xlsx(client.get(f"/analytics/export/{table}.xlsx", SPRING))
    assert len(as_csv) == len(as_xlsx) >= (1 if table == "goals" else 2)
    assert as_csv[0] == [str(h) for h in as_xlsx[0]]
    for line, row in zip(as_csv, as_xlsx, strict=True):
        assert [_same(v) for v in line] == [_same(v) for v in row]


def _same(value) -> object:
    """A cell as both formats hold it (a decimal is a number in XLSX, text in CSV)."""
    if value is None or value == "":
        return ""
    try:
        return round(float(value), 4)
    except (TypeError, ValueError):
        return str(value)


def test_figures_of_the_exports(dataset, admin):
    client = client_for(admin)
    totals = {r[0]: r[1:] for r in read_xlsx(client.get("/analytics/export/totals.xlsx", SPRING))}
    assert totals["Shares"][0] == 4 and totals["Clicks"][0] == 5
    top = read_xlsx(client.get("/analytics/export/top_content.xlsx", SPRING))
    assert [r[1] for r in top[1:]] == ["Item one", "Item two"]
    kpis = [r[0] for r in read_xlsx(client.get("/analytics/export/kpis.xlsx", SPRING))]
    assert "Earned media value" in kpis and any(str(k).startswith("EMV part") for k in kpis)


def test_hidden_ambassadors_are_not_named_in_exports(dataset, admin):
    account_services.visibility_set(membership=dataset.a, visibility="hidden")
    client = client_for(admin)
    top = read_xlsx(client.get("/analytics/export/top_ambassadors.xlsx", SPRING))
    assert str(dataset.a.pk) not in [str(r[0]) for r in top[1:]]
    assert len(top) == 3  # B and C
    table = read_csv(client.get("/analytics/export/ambassador.csv", SPRING))
    hidden = [r for r in table[1:] if r[0] == ""]
    assert hidden and hidden[0][1] == "An ambassador who chose not to be named"


def test_formula_cells_are_neutralized_in_both_formats(org, admin, manager, approver):
    item = factories.make_live_item(manager, approver, title=EVIL[0])
    person = factories.make_member(org, email="evil@acme.test", ambassador=True)
    person.user.full_name = EVIL[3]
    person.user.save(update_fields=["full_name"])
    account_services.visibility_set(membership=person, visibility="name")
    link = events.share(person, item, "x", at("2026-03-03"), audience=10).link
    events.click(link, at("2026-03-03", 14), "v1")
    client = client_for(admin)
    for table, value in (("item", EVIL[0]), ("top_ambassadors", EVIL[3])):
        line = read_csv(client.get(f"/analytics/export/{table}.csv", SPRING))[1]
        assert line[1] == "'" + value
        row = read_xlsx(client.get(f"/analytics/export/{table}.xlsx", SPRING))[1]
        assert row[1] == "'" + value


def test_exports_refused_and_unknown(dataset, org, ambassador):
    assert client_for(ambassador).get("/analytics/export/kpis.xlsx").status_code == 403
    assert client_for(ambassador).get("/analytics/me/export/kpis.xlsx").status_code == 404
    assert (
        client_for(factories.make_member(org)).get("/analytics/export/totals.csv").status_code
        == 403
    )
