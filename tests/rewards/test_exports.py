"""The HR export: CSV and XLSX, same figures for a person and for everyone, formulas
neutralized, the hidden left out of everyone's but present in their own."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.rewards import exports, services
from tests import factories
from tests.rewards.conftest import give_points, make_reward

pytestmark = pytest.mark.django_db


def login(client, membership):
    client.force_login(membership.user)
    return client


def person(org, name, visibility="name"):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    account_services.visibility_set(membership=membership, visibility=visibility, pseudonym="")
    return membership


def rows_of_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_periods():
    day = dt.date(2026, 5, 12)
    assert exports.period_range("month", day) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert exports.period_range("quarter", day) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert exports.period_range("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert exports.period_range("custom", day, dt.date(2026, 2, 3), dt.date(2026, 2, 9)) == (
        dt.date(2026, 2, 3),
        dt.date(2026, 2, 9),
    )
    with pytest.raises(exports.DomainError):
        exports.period_range("custom", day, dt.date(2026, 2, 9), dt.date(2026, 2, 3))
    with pytest.raises(exports.DomainError):
        exports.period_range("custom", day, dt.date(2024, 1, 1), dt.date(2026, 1, 1))


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralized(value):
    assert exports.cell_safe(value) == "'" + value
    assert exports.cell_safe(-5) == -5
    assert exports.cell_safe("Alice") == "Alice"


def test_everyone_and_own_exports_give_the_same_figures(client, org, admin):
    alice = person(org, "Alice Martin")
    give_points(alice, 45)
    reward = make_reward(admin, cost=30)
    services.redemption_request(membership=alice, reward_id=reward.pk)
    params = {"period": "month", "format": "csv", "everyone": "on"}
    everyone = rows_of_csv(login(client, admin).get(reverse("rewards:export"), params))
    header = everyone[0]
    assert header[:3] == ["Name", "Points earned", "Spendable points (net)"]
    alice_row = next(r for r in everyone if r[0] == "Alice Martin")
    assert alice_row[1:3] == ["45", "15"]
    assert alice_row[-3:] == ["1", "30", "Certified"]
    client.logout()
    params.pop("everyone")
    mine = rows_of_csv(login(client, alice).get(reverse("rewards:export"), params))
    assert mine[1] == alice_row


def test_a_hidden_person_is_left_out_of_everyone_but_gets_their_own(client, org, admin):
    person(org, "Alice Martin")
    hidden = person(org, "Chloé Cachée", visibility="hidden")
    give_points(hidden, 15)
    params = {"period": "year", "format": "csv", "everyone": "on"}
    body = login(client, admin).get(reverse("rewards:export"), params).content.decode("utf-8-sig")
    assert "Alice Martin" in body and "Chloé Cachée" not in body
    client.logout()
    params.pop("everyone")
    own = rows_of_csv(login(client, hidden).get(reverse("rewards:export"), params))
    assert own[1][:2] == ["Chloé Cachée", "15"]


def test_xlsx_has_the_same_rows_and_no_formula(client, org, admin):
    person(org, '=HYPERLINK("http://evil")')
    person(org, "Bob")
    params = {"period": "month", "format": "xlsx", "everyone": "on"}
    response = login(client, admin).get(reverse("rewards:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [row[0] for row in values[1:]]
    assert '\'=HYPERLINK("http://evil")' in names and "Bob" in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    params["format"] = "csv"
    body = client.get(reverse("rewards:export"), params).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


def test_only_admins_and_analysts_export_everyone(client, org, ambassador):
    params = {"period": "month", "format": "csv", "everyone": "on"}
    assert login(client, ambassador).get(reverse("rewards:export"), params).status_code == 403
    analyst = factories.make_member(org, "analyst")
    client.logout()
    assert login(client, analyst).get(reverse("rewards:export"), params).status_code == 200


def test_the_export_form_and_its_errors(client, ambassador):
    login(client, ambassador)
    assert client.get(reverse("rewards:export")).status_code == 200
    bad = {"period": "custom", "start": "2026-05-10", "end": "2026-05-01", "format": "csv"}
    assert client.get(reverse("rewards:export"), bad).status_code == 400
    assert client.post(reverse("rewards:export")).status_code == 405


def test_custom_dates_count_only_their_days(org, admin):
    alice = person(org, "Alice")
    give_points(alice, 15)
    today = timezone.localdate(clock.now())  # the day in TIME_ZONE, as the export counts
    before = exports.export_own(
        membership=alice, start=today - dt.timedelta(days=10), end=today - dt.timedelta(days=1)
    )
    assert before.rows[0].lifetime == 0
    now = exports.export_own(membership=alice, start=today, end=today)
    assert now.rows[0].lifetime == 15


def test_the_badges_earned_in_the_period_are_a_column(org, admin):
    """The badges of the period, by name, for everyone in one query (recognition's
    `badges_between`); a badge earned outside the period is not listed."""
    from portevoix.recognition import selectors as recognition

    alice = person(org, "Alice")
    person(org, "Bob")
    give_points(alice, 15)  # a course passed: the "certified" badge
    today = timezone.localdate(clock.now())  # the day in TIME_ZONE, as the export counts
    earned = [name for name, _at in recognition.badges_of(alice, today, today)]
    assert earned
    everyone = exports.export_all(membership=admin, start=today, end=today)
    assert everyone.header()[-1] == "Badges earned"
    by_name = {row[0]: row[-1] for row in everyone.cells()}
    assert by_name["Alice"] == ", ".join(earned)
    assert by_name["Bob"] == ""
    earlier = exports.export_own(
        membership=alice, start=today - dt.timedelta(days=9), end=today - dt.timedelta(days=1)
    )
    assert next(iter(earlier.cells()))[-1] == ""
