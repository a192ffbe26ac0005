"""Completion by course and team, by person, and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.training import selectors, services
from tests import factories
from tests.training.conftest import answers, first_lesson, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org, admin):
    sales = account_services.team_create(actor=admin, name="Ventes")
    rnd = account_services.team_create(actor=admin, name="R&D")
    fr = make_course(admin, title="Bien partager")
    en = make_course(admin, title="Sharing well", language="en", translation_of=fr)

    def person(name, team):
        membership = factories.make_member(org)
        membership.user.full_name = name
        membership.user.save(update_fields=["full_name"])
        account_services.membership_update(actor=admin, membership=membership, team_ids=[team.pk])
        return membership

    alice = person("Alice", sales)  # passed in French
    bob = person("Bob", sales)  # passed in English (a translation counts)
    chloe = person("Chloé", sales)  # read one lesson
    person("Damien", rnd)  # not started
    eve = person("=Eve", rnd)  # failed once; her name starts like a formula
    services.quiz_submit(membership=alice, course=fr, answers=answers(fr))
    services.quiz_submit(membership=bob, course=en, answers=answers(en))
    services.lesson_complete(membership=chloe, lesson=first_lesson(fr))
    services.quiz_submit(membership=eve, course=fr, answers=answers(fr, wrong=3))
    return {"fr": fr, "en": en, "sales": sales, "rnd": rnd}


def test_overview_by_course_and_team(admin, setup):
    overview = selectors.completion_overview(membership=admin)
    assert [t.name for t in overview.teams] == ["R&D", "Ventes"]
    (row,) = overview.rows  # one row for the course and its translation
    assert row.course == setup["fr"] and row.languages == ["en", "fr"]
    rnd, sales = row.teams
    assert (sales.members, sales.passed, sales.in_progress, sales.percent) == (3, 2, 1, 66)
    assert (rnd.members, rnd.passed, rnd.in_progress, rnd.percent) == (2, 0, 1, 0)
    # Everyone: the owner and the admin fixture are members too (7 in all).
    assert (row.everyone.members, row.everyone.passed) == (7, 2)


def test_overview_query_count_does_not_grow(admin, setup, org):
    with CaptureQueriesContext(connection) as small:
        selectors.completion_overview(membership=admin)
    team = account_services.team_create(actor=admin, name="Nouvelle")
    for _i in range(5):
        m = factories.make_member(org)
        account_services.membership_update(actor=admin, membership=m, team_ids=[team.pk])
        services.quiz_submit(membership=m, course=setup["fr"], answers=answers(setup["fr"]))
    make_course(admin, title="Deuxième cours")
    with CaptureQueriesContext(connection) as large:
        selectors.completion_overview(membership=admin)
    assert len(large.captured_queries) == len(small.captured_queries) <= 8


def test_per_person_page(client, admin, setup):
    client.force_login(admin.user)
    response = client.get(reverse("training:report_course", args=[setup["en"].pk]))
    assert response.status_code == 200  # a translation's id opens its group
    text = response.content.decode()
    for name in ("Alice", "Bob", "Chloé", "Damien"):
        assert name in text
    only_rnd = client.get(
        reverse("training:report_course", args=[setup["fr"].pk]), {"team": setup["rnd"].pk}
    ).content.decode()
    assert "Damien" in only_rnd and "Alice" not in only_rnd


def test_per_person_page_query_count_does_not_grow(client, admin, setup, org):
    client.force_login(admin.user)
    target = reverse("training:report_course", args=[setup["fr"].pk])
    client.get(target)  # fills the page frame's cache (accounts/frame.py)
    with CaptureQueriesContext(connection) as small:
        client.get(target)
    baseline = len(small.captured_queries)  # before the next request clears the log
    for _i in range(6):
        m = factories.make_member(org)
        services.quiz_submit(membership=m, course=setup["fr"], answers=answers(setup["fr"]))
    with CaptureQueriesContext(connection) as large:
        client.get(target)
    assert len(large.captured_queries) == baseline


def test_csv_export(client, admin, setup):
    client.force_login(admin.user)
    response = client.get(reverse("training:report_csv", args=[setup["fr"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, *people = rows
    assert header[:5] == ["Name", "Email", "Teams", "Course", "Status"]
    by_name = {row[0]: row for row in people}
    assert by_name["Alice"][4] == "Passed" and by_name["Alice"][11].startswith("PV-")
    assert by_name["Bob"][4] == "Passed" and by_name["Bob"][5] == "en"
    assert by_name["Chloé"][4] == "In progress" and by_name["Chloé"][6:10] == ["1", "2", "", "0"]
    assert by_name["Damien"][4] == "Not started"
    assert "'=Eve" in by_name  # never a formula in a spreadsheet
    assert by_name["'=Eve"][8:10] == ["0", "1"]
    assert len(people) == 7


def test_reports_are_refused_to_members(client, member, setup):
    client.force_login(member.user)
    assert client.get(reverse("training:report")).status_code == 403
    assert client.get(reverse("training:report_csv", args=[setup["fr"].pk])).status_code == 403
