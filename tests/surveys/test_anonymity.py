"""Anonymous surveys: nothing links an answer to a person, not the pages, not the export,
not the database rows (docs/decisions/0008-anonymous-survey-answers.md)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, models
from django.urls import reverse

from portevoix.surveys import selectors, services
from portevoix.surveys.models import Answer, AnswerBuffer, Participation, Response
from tests.surveys.conftest import ambassadors, answer, make_survey

pytestmark = pytest.mark.django_db


def test_the_answer_tables_hold_no_person_and_no_time():
    for model in (Response, Answer):
        names = {f.name for f in model._meta.get_fields()}
        assert not any(
            isinstance(f, models.DateTimeField | models.DateField) for f in model._meta.get_fields()
        )
        assert "participation" not in names
        assert isinstance(model._meta.pk, models.UUIDField)
    assert isinstance(Participation._meta.pk, models.UUIDField)
    times = [f for f in Participation._meta.get_fields() if isinstance(f, models.DateField)]
    assert [(f.name, type(f)) for f in times] == [("answered_on", models.DateField)]
    assert not any(f.related_model in (Response, Answer) for f in Participation._meta.get_fields())


def test_given_the_rows_an_answer_cannot_be_matched_to_its_participant(admin, org, team):
    people = ambassadors(org, 6, team) + ambassadors(org, 1) + ambassadors(org, 5)
    survey = make_survey(admin)
    for n, person in enumerate(people):
        answer(person, survey, score=n % 11, text=f"réponse numéro {n}")
        # Whatever waits is encrypted: no answer text readable in the buffer.
        buffer = AnswerBuffer.objects.get(survey=survey)
        assert "réponse" not in buffer.pending + buffer.teams
    assert not Response.objects.filter(membership__isnull=False).exists()
    services.survey_close(actor=admin, survey_id=survey.pk)

    participants = list(
        Participation.objects.filter(survey=survey)
        .order_by("pk")
        .values_list("membership_id", "answered_on")
    )
    assert len({day for _pk, day in participants}) == 1  # the day only, the same for all
    texts_by_insertion = [f"réponse numéro {n}" for n in range(len(people))]
    answer_rows = Answer.objects.filter(response__survey=survey).exclude(text="")
    stored = [text for text in _answer_texts_physical(survey.pk) if text]
    assert sorted(stored) == sorted(texts_by_insertion)
    # Not in the order people answered (a shuffle matching it has odds of 1 in 12!).
    assert stored != texts_by_insertion
    assert all(uuid.UUID(str(pk)).version == 4 for pk in answer_rows.values_list("pk", flat=True))
    # The lone member without a team (1 answer) is not labelled apart: the team of 6 keeps
    # its label, the others are "other" (1 + 5 = 6), and no response names a person.
    labels = sorted(
        (t or 0) for t in Response.objects.filter(survey=survey).values_list("team_id", flat=True)
    )
    assert labels == [0] * 6 + [team.pk] * 6
    assert not AnswerBuffer.objects.get(survey=survey).teams


def _answer_texts_physical(survey_pk: int) -> list[str]:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.text FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id "  # noqa: S608
            f"WHERE r.survey_id = %s ORDER BY a.{order}",
            [survey_pk],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_batch_is_written_once_five_wait_and_not_before(admin, org):
    people = ambassadors(org, 7)
    survey = make_survey(admin)
    for person in people[:4]:
        answer(person, survey)
    assert not Response.objects.filter(survey=survey).exists()
    assert AnswerBuffer.objects.get(survey=survey).pending_count == 4
    answer(people[4], survey)
    assert Response.objects.filter(survey=survey, team__isnull=True).count() == 5
    assert AnswerBuffer.objects.get(survey=survey).pending_count == 0
    answer(people[5], survey)
    assert Response.objects.filter(survey=survey).count() == 5


def test_small_teams_merge_into_other_and_a_small_other_takes_the_smallest_team():
    assert services.team_labels([1] * 5 + [2] * 2 + [None] * 3) == {1: 1, 2: None, None: None}
    # "other" would have 2: the smallest named team (5) joins it.
    assert services.team_labels([1] * 5 + [2] * 6 + [None] * 2) == {1: None, 2: 2, None: None}
    assert services.team_labels([1] * 3) == {1: None}


def test_no_page_and_no_export_shows_who_answered_what(client, admin, org):
    people = ambassadors(org, 6)
    for n, person in enumerate(people):
        person.user.full_name = f"Personne {n}"
        person.user.save(update_fields=["full_name"])
    survey = make_survey(admin)
    for n, person in enumerate(people):
        answer(person, survey, text=f"idée {n}")
    services.survey_close(actor=admin, survey_id=survey.pk)
    client.force_login(admin.user)
    html = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    body = client.get(reverse("surveys:export", args=[survey.pk])).content.decode()
    for person in people:
        assert person.user.full_name not in html + body
        assert person.user.email not in html + body
    assert "idée 3" in html and "idée 3" in body
    assert body.splitlines()[0].startswith("Team,")
    rows = selectors.export_rows(membership=admin, pk=survey.pk)
    assert len(rows) == 7


def test_the_api_reads_no_answer_and_no_participant():
    """The survey API (the `surveys` area, decision 0023) lets a person answer and see
    whether they answered, and a manager launch or close: no operation reads answers,
    results or who answered, so nothing there can show who answered what."""
    from config.api import api

    schema = api.get_openapi_schema()
    survey_operations = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if "survey" in path
    }
    assert survey_operations == {
        ("get", "/api/v1/surveys"),
        ("get", "/api/v1/surveys/{survey_id}"),
        ("post", "/api/v1/surveys/{survey_id}/answers"),
        ("post", "/api/v1/surveys/{survey_id}/launch"),
        ("post", "/api/v1/surveys/{survey_id}/close"),
    }
    answer_op = schema["paths"]["/api/v1/surveys/{survey_id}/answers"]["post"]
    # Nothing is answered back but errors: an anonymous answer has no id to return.
    statuses = {int(status) for status in answer_op["responses"]}
    assert statuses - {204} <= {400, 401, 403, 404, 409, 422, 429}
    components = schema["components"]["schemas"]
    for name in ("SurveySummaryOut", "SurveyOut", "SurveyQuestionOut", "SurveyStateOut"):
        fields = set(components[name]["properties"])
        assert not fields & {"answers", "results", "participants", "member_id", "membership_id"}
