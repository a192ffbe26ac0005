"""Course authoring through the API (what /training/manage/ offers): training managers
write a course, its lessons and quiz, publish and unpublish it; members see it once
published; the page's validation; others 403; another organization's course, and a lesson
or question of another course, 404; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.training.models import Course, Lesson, Question
from tests.api.conftest import ApiClient
from tests.training.conftest import make_course

pytestmark = pytest.mark.django_db

BASE = "/training/manage/courses"
QUESTION = {
    "prompt": "Que partager ?",
    "kind": "single",
    "choices": [{"text": "Les offres", "correct": True}, {"text": "Les chiffres"}],
}


def test_a_manager_writes_and_publishes_a_course(api_as, admin, member):
    client = api_as(admin)
    created = client.post(BASE, {"title": "Bien partager", "language": "fr"})
    assert created.status_code == 201, created.content
    course_id = created.json()["id"]
    assert created.json()["published"] is False
    assert client.post(f"{BASE}/{course_id}/publish").status_code == 409  # empty
    lesson = client.post(f"{BASE}/{course_id}/lessons", {"title": "Pourquoi", "body": "**Oui**"})
    assert lesson.status_code == 201 and lesson.json()["position"] == 1
    asked = client.post(f"{BASE}/{course_id}/questions", QUESTION)
    assert asked.status_code == 201
    question = asked.json()["questions"][0]
    assert [c["correct"] for c in question["choices"]] == [True, False]
    changed = client.put(
        f"{BASE}/{course_id}/questions/{question['id']}",
        {**QUESTION, "prompt": "Que peut-on partager ?", "lesson_id": lesson.json()["id"]},
    )
    assert changed.status_code == 200
    assert changed.json()["questions"][0]["lesson_id"] == lesson.json()["id"]
    renamed = client.put(
        f"{BASE}/{course_id}/lessons/{lesson.json()['id']}", {"title": "Pourquoi partager"}
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Pourquoi partager"
    assert api_as(member).get(f"/courses/{course_id}").status_code == 404  # a draft
    published = client.post(f"{BASE}/{course_id}/publish")
    assert published.status_code == 200 and published.json()["published"] is True
    assert api_as(member).get(f"/courses/{course_id}").status_code == 200
    # The last lesson of a published course stays.
    assert client.delete(f"{BASE}/{course_id}/lessons/{lesson.json()['id']}").status_code == 409
    assert client.post(f"{BASE}/{course_id}/unpublish").json()["published"] is False
    question_url = f"{BASE}/{course_id}/questions/{question['id']}"
    assert client.delete(question_url).status_code == 204
    assert client.delete(f"{BASE}/{course_id}/lessons/{lesson.json()['id']}").status_code == 204
    assert not Lesson.objects.exists() and not Question.objects.exists()
    updated = client.put(f"{BASE}/{course_id}", {"title": "Partager", "language": "en"})
    assert updated.status_code == 200 and updated.json()["language"] == "en"
    assert [c["id"] for c in client.get(BASE).json()] == [course_id]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**QUESTION, "kind": "single", "choices": [{"text": "A"}, {"text": "B"}]}, "choices"),
        (
            {
                **QUESTION,
                "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
            },
            "choices",
        ),
        ({**QUESTION, "lesson_id": 999999}, "lesson_id"),
    ],
)
def test_the_pages_validation_applies_to_questions(api_as, admin, payload, field):
    course = make_course(admin, publish=False)
    before = Question.objects.filter(course=course).count()
    response = api_as(admin).post(f"{BASE}/{course.pk}/questions", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Question.objects.filter(course=course).count() == before


def test_the_body_is_validated(api_as, admin):
    client = api_as(admin)
    assert client.post(BASE, {"title": "", "language": "fr"}).status_code == 422
    assert (
        client.post(BASE, {"title": "T", "language": "fr", "passing_score": 101}).status_code == 422
    )
    wrong_language = client.post(BASE, {"title": "T", "language": "de"})
    assert wrong_language.status_code == 400 and "language" in wrong_language.json()["errors"]
    assert not Course.objects.exists()


def test_others_are_refused_and_outsiders_get_404(api_as, admin, member, outsider):
    course = make_course(admin, publish=False)
    other_course = make_course(admin, title="Autre", publish=False)
    lesson = course.lessons.first()
    question = course.questions.first()
    assert lesson is not None and question is not None
    plain = api_as(member)
    assert plain.get(BASE).status_code == 403
    assert plain.post(BASE, {"title": "T", "language": "fr"}).status_code == 403
    assert plain.post(f"{BASE}/{course.pk}/publish").status_code == 403
    other = api_as(outsider)
    assert other.get(f"{BASE}/{course.pk}").status_code == 404
    assert other.post(f"{BASE}/{course.pk}/publish").status_code == 404
    assert other.delete(f"{BASE}/{course.pk}/lessons/{lesson.pk}").status_code == 404
    assert other.put(f"{BASE}/{course.pk}/questions/{question.pk}", QUESTION).status_code == 404
    # A lesson or question of another course, even of the same organization: 404.
    client = api_as(admin)
    assert client.delete(f"{BASE}/{other_course.pk}/lessons/{lesson.pk}").status_code == 404
    assert client.delete(f"{BASE}/{other_course.pk}/questions/{question.pk}").status_code == 404
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert Question.objects.filter(pk=question.pk).exists()
    course.refresh_from_db()
    assert course.published is False


def test_methods_and_scopes(api_as, admin):
    course = make_course(admin, publish=False)
    assert api_as(admin).get(f"{BASE}/{course.pk}/publish").status_code == 405
    assert api_as(admin).delete(f"{BASE}/{course.pk}").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    assert read_only.get(f"{BASE}/{course.pk}").status_code == 200
    refused = read_only.post(f"{BASE}/{course.pk}/publish")
    assert refused.status_code == 403 and "training:write" in refused.json()["detail"]
    course.refresh_from_db()
    assert course.published is False
