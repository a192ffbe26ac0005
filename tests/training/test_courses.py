"""Course services: authoring rules, progress per lesson, attempts and retries, certificates."""

from __future__ import annotations

import pytest

from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.training import selectors, services
from portevoix.training.models import (
    Certificate,
    Enrollment,
    LessonCompletion,
    QuizAttempt,
)
from portevoix.training.public_ids import ALPHABET, normalize_public_id
from tests import factories
from tests.training.conftest import answers, first_choice, first_lesson, make_course

pytestmark = pytest.mark.django_db


# --- Authoring


def test_only_course_managers_author(admin, manager, member, ambassador):
    make_course(admin)
    make_course(manager, title="Par le responsable du contenu")
    for who in (member, ambassador):
        with pytest.raises(PermissionDenied):
            services.course_create(actor=who, data=services.CourseData(title="X", language="fr"))


def test_course_fields_are_validated(admin):
    with pytest.raises(DomainError) as exc:
        services.course_create(
            actor=admin,
            data=services.CourseData(
                title=" ", language="de", required_for="always", passing_score=0
            ),
        )
    assert set(exc.value.field_errors) == {"title", "language", "required_for", "passing_score"}


def test_translation_rules(admin, other_org):
    fr = make_course(admin)
    en = make_course(admin, title="Sharing well", language="en", translation_of=fr)
    assert en.group_id == fr.pk == fr.group_id

    def refused(**data):
        with pytest.raises(DomainError) as exc:
            services.course_create(
                actor=admin, data=services.CourseData(**{"title": "T", "language": "en", **data})
            )
        return exc.value.field_errors["translation_of_id"]

    assert refused(translation_of_id=en.pk)  # a translation of a translation
    assert refused(translation_of_id=fr.pk)  # a second English version
    assert refused(translation_of_id=fr.pk, language="fr")  # same language as the original
    foreign = make_course(factories.make_member(other_org, "admin"))
    assert refused(translation_of_id=foreign.pk)  # another organization's course
    with pytest.raises(DomainError):  # an original with translations cannot become one
        services.course_update(
            actor=admin,
            course=fr,
            data=services.CourseData(title="T", language="fr", translation_of_id=en.pk),
        )


def test_publishing_needs_lessons_and_questions(admin):
    course = services.course_create(
        actor=admin, data=services.CourseData(title="Vide", language="fr")
    )
    with pytest.raises(Conflict):
        services.course_publish(actor=admin, course=course)
    course = make_course(admin, lessons=1)
    assert course.published and course.published_at is not None
    # A published course keeps at least one lesson.
    with pytest.raises(Conflict):
        services.lesson_delete(actor=admin, lesson=course.lessons.get())
    services.course_unpublish(actor=admin, course=course)
    services.lesson_delete(actor=admin, lesson=course.lessons.get())
    assert not course.lessons.exists()


@pytest.mark.parametrize(
    ("kind", "choices", "error_key"),
    [
        ("single", [("A", True), ("B", True)], "choices"),  # two correct answers
        ("single", [("A", False), ("B", False)], "choices"),  # none correct
        ("multiple", [("A", False), ("B", False)], "choices"),
        ("single", [("A", True)], "choices"),  # one answer only
        ("single", [("A", True), ("x" * 501, False)], "choices.1.text"),
        ("maybe", [("A", True), ("B", False)], "kind"),
    ],
)
def test_question_answers_are_validated(admin, kind, choices, error_key):
    course = make_course(admin, publish=False)
    with pytest.raises(DomainError) as exc:
        services.question_create(
            actor=admin,
            course=course,
            data=services.QuestionData(
                prompt="?",
                kind=kind,
                choices=[services.ChoiceData(t, c) for t, c in choices],
            ),
        )
    assert error_key in exc.value.field_errors


def test_question_lesson_must_belong_to_the_course(admin):
    course = make_course(admin, publish=False)
    other = make_course(admin, title="Autre", publish=False)
    with pytest.raises(DomainError) as exc:
        services.question_create(
            actor=admin,
            course=course,
            data=services.QuestionData(
                prompt="?",
                lesson_id=first_lesson(other).pk,
                choices=[services.ChoiceData("A", True), services.ChoiceData("B")],
            ),
        )
    assert "lesson_id" in exc.value.field_errors


def test_lessons_render_images_from_https_only(admin, course):
    lesson = services.lesson_create(
        actor=admin,
        course=course,
        data=services.LessonData(
            title="Images",
            body="![Réglages](https://img.example.com/a.png) ![x](javascript:alert(1)) "
            "<script>alert(1)</script> [Vidéo](https://video.example.com/v)",
        ),
    )
    assert '<img alt="Réglages" src="https://img.example.com/a.png">' in lesson.body_html or (
        'src="https://img.example.com/a.png"' in lesson.body_html
    )
    assert "javascript" not in lesson.body_html
    assert "<script" not in lesson.body_html
    assert 'href="https://video.example.com/v"' in lesson.body_html


# --- Progress


def test_progress_is_saved_per_lesson(ambassador, course):
    first, second = list(course.lessons.order_by("position"))
    enrollment = services.lesson_complete(membership=ambassador, lesson=first)
    services.lesson_complete(membership=ambassador, lesson=first)  # idempotent
    assert Enrollment.objects.filter(membership=ambassador).count() == 1
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1
    status = selectors.course_status(membership=ambassador, course=course)
    assert (status.lessons_done, status.lesson_count, status.percent_done) == (1, 2, 50)
    services.lesson_complete(membership=ambassador, lesson=second)
    assert selectors.completed_lesson_ids(membership=ambassador, course=course) == {
        first.pk,
        second.pk,
    }


def test_drafts_cannot_be_taken(admin, member):
    draft = make_course(admin, publish=False)
    with pytest.raises(Conflict):
        services.lesson_complete(membership=member, lesson=first_lesson(draft))
    with pytest.raises(Conflict):
        services.quiz_submit(membership=member, course=draft, answers=answers(draft))


def test_another_organizations_course_is_not_found(course, outsider):
    with pytest.raises(NotFound):
        services.quiz_submit(membership=outsider, course=course, answers=[])
    with pytest.raises(NotFound):
        services.lesson_complete(membership=outsider, lesson=course.lessons.first())


# --- Attempts


def test_retries_are_recorded_and_the_best_attempt_counts(member, course):
    first = services.quiz_submit(membership=member, course=course, answers=answers(course, wrong=2))
    assert (first.score.score, first.score.passed, first.certificate) == (33, False, None)
    second = services.quiz_submit(membership=member, course=course, answers=answers(course, skip=1))
    assert (second.score.score, second.score.passed) == (66, False)  # unanswered is wrong
    third = services.quiz_submit(membership=member, course=course, answers=answers(course))
    assert (third.score.score, third.score.passed, third.certificate_issued) == (100, True, True)
    worse = services.quiz_submit(membership=member, course=course, answers=answers(course, wrong=3))
    assert worse.score.score == 0
    enrollment = Enrollment.objects.get(membership=member, course=course)
    assert (enrollment.attempt_count, enrollment.best_score) == (4, 100)
    assert enrollment.completed_at == third.attempt.created_at
    assert QuizAttempt.objects.filter(membership=member, course=course).count() == 4
    # Passing again keeps the first certificate.
    again = services.quiz_submit(membership=member, course=course, answers=answers(course))
    assert again.certificate == third.certificate and not again.certificate_issued
    assert Certificate.objects.filter(membership=member).count() == 1
    assert selectors.course_status(membership=member, course=course).passed


def test_passing_score_is_inclusive(admin, member):
    course = make_course(admin, passing_score=66)
    result = services.quiz_submit(
        membership=member, course=course, answers=answers(course, wrong=1)
    )
    assert (result.score.score, result.score.passed) == (66, True)


def test_attempt_stores_the_validated_answers(member, course):
    given = answers(course)
    result = services.quiz_submit(membership=member, course=course, answers=given)
    assert result.attempt.answers == {str(a.question_id): sorted(a.choice_ids) for a in given}
    assert (result.attempt.correct_count, result.attempt.question_count) == (3, 3)


def test_invalid_answers_are_refused_with_field_errors(admin, member, course):
    other = make_course(admin, title="Autre")
    good = answers(course)
    foreign_choice = first_choice(other).pk
    single = course.questions.order_by("position").first()
    cases = [
        ([services.AnswerData(question_id=10**9, choice_ids=[])], "answers.0.question_id"),
        (
            [services.AnswerData(question_id=good[0].question_id, choice_ids=[foreign_choice])],
            "answers.0.choice_ids",
        ),
        ([good[0], good[0]], "answers.1.question_id"),  # answered twice
        (
            [
                services.AnswerData(
                    question_id=single.pk, choice_ids=[c.pk for c in single.choices.all()]
                )
            ],
            "answers.0.choice_ids",
        ),  # two answers to a single-choice question
    ]
    for given, key in cases:
        with pytest.raises(DomainError) as exc:
            services.quiz_submit(membership=member, course=course, answers=given)
        assert exc.value.status == 400
        assert key in exc.value.field_errors, key
    assert not QuizAttempt.objects.exists()


# --- Certificates


def test_certificate_ids_are_random_and_readable(admin, course):
    ids = set()
    for _n in range(5):
        person = factories.make_member(course.organization)
        result = services.quiz_submit(membership=person, course=course, answers=answers(course))
        certificate = result.certificate
        assert certificate is not None
        public_id = certificate.public_id
        prefix, *groups = public_id.split("-")
        assert prefix == "PV" and [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
        assert certificate.holder_name == person.user.display_name
        assert certificate.course_title == course.title
        ids.add(public_id)
    assert len(ids) == 5
    assert normalize_public_id(" pv-abcd-0o1l-wxyz ") == "PV-ABCD-0011-WXYZ"


def test_revoking_lets_the_holder_pass_again(admin, member, course):
    first = services.quiz_submit(membership=member, course=course, answers=answers(course))
    certificate = first.certificate
    assert certificate is not None
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=member, certificate=certificate, reason="")
    services.certificate_revoke(actor=admin, certificate=certificate, reason="Erreur")
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=admin, certificate=certificate, reason="")
    assert not selectors.course_status(membership=member, course=course).passed
    again = services.quiz_submit(membership=member, course=course, answers=answers(course))
    assert again.certificate_issued and again.certificate is not None
    assert again.certificate.pk != certificate.pk
    assert Certificate.objects.filter(membership=member, revoked_at__isnull=True).count() == 1
