"""The training API takes ids in JSON bodies as numbers only (issue 9: `true` is not 1,
`"3"` is not 3) and its OpenAPI schema lists the enums it answers with."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.training.conftest import answers

pytestmark = pytest.mark.django_db


def _payload(given):
    return {"answers": [{"question_id": a.question_id, "choice_ids": a.choice_ids} for a in given]}


def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("bad", [True, "{id}", 1.5])
def test_question_id_must_be_a_number(api_as, member, course, bad):
    given = answers(course)
    payload = _payload(given)
    first = payload["answers"][0]
    first["question_id"] = bad.format(id=first["question_id"]) if isinstance(bad, str) else bad
    response = api_as(member).post(f"/courses/{course.pk}/attempts", payload)
    assert response.status_code == 422
    assert "answers.0.question_id" in response.json()["errors"]


@pytest.mark.parametrize("bad", [True, "{id}"])
def test_choice_ids_must_be_numbers(api_as, member, course, bad):
    payload = _payload(answers(course))
    first = payload["answers"][0]
    chosen = first["choice_ids"][0]
    first["choice_ids"] = [bad.format(id=chosen) if isinstance(bad, str) else bad]
    response = api_as(member).post(f"/courses/{course.pk}/attempts", payload)
    assert response.status_code == 422
    assert "answers.0.choice_ids.0" in response.json()["errors"]


def test_numbers_are_accepted_and_outsiders_get_404(api_as, member, outsider, course):
    payload = _payload(answers(course))
    assert api_as(member).post(f"/courses/{course.pk}/attempts", payload).status_code == 201
    assert api_as(outsider).post(f"/courses/{course.pk}/attempts", payload).status_code == 404


def test_schema_enums():
    components = schema()["components"]["schemas"]
    assert components["CourseSummaryOut"]["properties"]["required_for"]["enum"] == [
        "",
        "share",
        "personalize",
    ]
    assert components["CourseDetailOut"]["properties"]["required_for"]["enum"] == [
        "",
        "share",
        "personalize",
    ]
    assert components["QuestionOut"]["properties"]["kind"]["enum"] == ["single", "multiple"]
    assert components["EventOut"]["properties"]["kind"]["enum"] == [
        "coaching",
        "event",
        "social_media_week",
    ]
    assert components["RegistrationOut"]["properties"]["status"]["enum"] == [
        "registered",
        "waitlisted",
        "cancelled",
    ]
    answer = components["AnswerIn"]["properties"]
    assert answer["question_id"]["type"] == "integer"
    assert answer["choice_ids"]["items"]["type"] == "integer"
