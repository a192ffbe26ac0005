"""Training API: courses, lesson progress, quiz attempts, certificates, events."""

from __future__ import annotations

import pytest

from portevoix.training import services
from tests import factories
from tests.api.conftest import ApiClient
from tests.training.conftest import answers, first_choice, make_course, make_event

pytestmark = pytest.mark.django_db


def test_courses_list_and_detail_without_the_answers(api_as, admin, member, course):
    make_course(admin, title="Brouillon", publish=False)
    api = api_as(member)
    response = api.get("/courses")
    assert response.status_code == 200
    rows = response.json()
    assert [r["title"] for r in rows] == [course.title]
    assert rows[0]["lesson_count"] == 2 and rows[0]["passed"] is False
    detail = api.get(f"/courses/{course.pk}").json()
    assert [lesson["title"] for lesson in detail["lessons"]] == ["Leçon 1", "Leçon 2"]
    assert "<strong>" in detail["lessons"][0]["body_html"]
    assert len(detail["questions"]) == 3
    assert all(set(c) == {"id", "text"} for q in detail["questions"] for c in q["choices"])
    assert detail["progress"]["lessons_done"] == 0


def test_lesson_completion(api_as, member, course):
    api = api_as(member)
    lesson = course.lessons.order_by("position").first()
    response = api.post(f"/courses/{course.pk}/lessons/{lesson.pk}/complete")
    assert response.status_code == 200
    assert response.json()["completed_lesson_ids"] == [lesson.pk]
    assert (
        api.post(f"/courses/{course.pk}/lessons/{lesson.pk}/complete").json()["lessons_done"] == 1
    )


def _payload(given):
    return {"answers": [{"question_id": a.question_id, "choice_ids": a.choice_ids} for a in given]}


def test_attempts_score_explain_and_certify(api_as, member, course):
    api = api_as(member)
    failed = api.post(f"/courses/{course.pk}/attempts", _payload(answers(course, wrong=1)))
    assert failed.status_code == 201
    body = failed.json()
    assert (body["score"], body["passed"], body["certificate_id"]) == (66, False, None)
    assert body["results"][0]["correct"] is False
    assert body["results"][0]["explanation"] == "On s'inscrit et on se retire librement."
    assert body["results"][0]["correct_choice_ids"]
    passed = api.post(f"/courses/{course.pk}/attempts", _payload(answers(course))).json()
    assert (passed["score"], passed["passed"], passed["certificate_issued"]) == (100, True, True)
    assert passed["best_score"] == 100
    certificate = api.get(f"/certificates/{passed['certificate_id']}")
    assert certificate.status_code == 200
    assert certificate.json()["valid"] is True
    assert certificate.json()["verify_url"].endswith(f"/certificates/{passed['certificate_id']}/")
    # A lower-case id is the same certificate.
    assert api.get(f"/certificates/{passed['certificate_id'].lower()}").status_code == 200


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ({"answers": [{"question_id": 999999, "choice_ids": []}]}, "answers.0.question_id"),
        ({"answers": "nope"}, "answers"),
        ({"answers": [{"question_id": 0, "choice_ids": []}]}, "answers.0.question_id"),
        ({"answers": [{"question_id": 1, "choice_ids": [2**70]}]}, "answers.0.choice_ids.0"),
    ],
)
def test_invalid_attempts_are_4xx_with_field_errors(api_as, member, course, payload, key):
    response = api_as(member).post(f"/courses/{course.pk}/attempts", payload)
    assert response.status_code in (400, 422)
    assert key in response.json()["errors"]


def test_unknown_choice_is_a_400(api_as, admin, member, course):
    other = make_course(admin, title="Autre")
    question = course.questions.first()
    payload = {"answers": [{"question_id": question.pk, "choice_ids": [first_choice(other).pk]}]}
    response = api_as(member).post(f"/courses/{course.pk}/attempts", payload)
    assert response.status_code == 400
    assert "answers.0.choice_ids" in response.json()["errors"]


def test_events_register_and_cancel(api_as, admin, org, member):
    event = make_event(admin, capacity=1)
    other = services.registration_create(membership=factories.make_member(org), event=event)
    assert other.status == "registered"
    api = api_as(member)
    listed = api.get("/events").json()
    assert [e["id"] for e in listed] == [event.pk]
    assert listed[0]["registered"] == 1 and listed[0]["registration"] is None
    registered = api.post(f"/events/{event.pk}/register")
    assert registered.status_code == 200
    assert registered.json()["registration"] == {
        "status": "waitlisted",
        "position": 1,
        "attended": None,
    }
    cancelled = api.post(f"/events/{event.pk}/cancel").json()
    assert cancelled["registration"] is None and cancelled["waitlisted"] == 0
    assert api.post(f"/events/{event.pk}/cancel").status_code == 409


def test_outsiders_get_404_everywhere(api_as, admin, member, course, outsider):
    event = make_event(admin)
    lesson = course.lessons.first()
    certificate = services.quiz_submit(
        membership=member, course=course, answers=answers(course)
    ).certificate
    assert certificate is not None
    api = api_as(outsider)
    assert api.get("/courses").json() == []
    assert api.get("/events").json() == []
    for method, path in [
        ("get", f"/courses/{course.pk}"),
        ("post", f"/courses/{course.pk}/lessons/{lesson.pk}/complete"),
        ("post", f"/courses/{course.pk}/attempts"),
        ("get", f"/certificates/{certificate.public_id}"),
        ("post", f"/events/{event.pk}/register"),
        ("post", f"/events/{event.pk}/cancel"),
    ]:
        body: dict[str, list[int]] | None = {"answers": []} if path.endswith("attempts") else None
        response = api.get(path) if method == "get" else api.post(path, body)
        assert response.status_code == 404, path


def test_anonymous_gets_401(anonymous_api, course):
    assert anonymous_api.get("/courses").status_code == 401
    assert anonymous_api.get(f"/courses/{course.pk}").status_code == 401


@pytest.fixture
def anonymous_api():
    return ApiClient(None)


def test_the_schema_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/courses",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/lessons/{lesson_id}/complete",
        "/api/v1/courses/{course_id}/attempts",
        "/api/v1/certificates/{public_id}",
        "/api/v1/events",
        "/api/v1/events/{event_id}/register",
        "/api/v1/events/{event_id}/cancel",
    ]:
        assert path in paths, path
