from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from portevoix.accounts.models import Membership
from portevoix.core import clock
from portevoix.training import services
from portevoix.training.models import Choice, Course, Event, Lesson
from tests.api.conftest import ApiClient, token_for


def make_course(
    actor: Membership,
    *,
    title: str = "Bien partager",
    language: str = "fr",
    required_for: str = "",
    passing_score: int = 80,
    translation_of: Course | None = None,
    lessons: int = 2,
    publish: bool = True,
) -> Course:
    """A course with `lessons` lessons and three questions: two single choice, one multiple
    choice (answers "A" and "C" are the correct ones)."""
    course = services.course_create(
        actor=actor,
        data=services.CourseData(
            title=title,
            language=language,
            required_for=required_for,
            passing_score=passing_score,
            translation_of_id=translation_of.pk if translation_of else None,
        ),
    )
    for n in range(1, lessons + 1):
        services.lesson_create(
            actor=actor,
            course=course,
            data=services.LessonData(title=f"Leçon {n}", body=f"Texte de la **leçon {n}**."),
        )
    C = services.ChoiceData
    questions = [
        services.QuestionData(
            prompt="Le programme est-il volontaire ?",
            choices=[C("Oui", True), C("Non")],
            explanation="On s'inscrit et on se retire librement.",
        ),
        services.QuestionData(
            prompt="Partage-t-on des chiffres non publiés ?",
            choices=[C("Oui"), C("Non", True), C("Parfois")],
            explanation="Ce qui n'est pas public reste interne.",
        ),
        services.QuestionData(
            prompt="Que mesure un lien suivi ?",
            kind="multiple",
            choices=[C("A", True), C("B"), C("C", True), C("D")],
            explanation="Les clics et le réseau, jamais l'adresse IP.",
        ),
    ]
    for data in questions:
        services.question_create(actor=actor, course=course, data=data)
    if publish:
        services.course_publish(actor=actor, course=course)
    return course


def answers(course: Course, *, wrong: int = 0, skip: int = 0) -> list[services.AnswerData]:
    """Right answers, except the first `wrong` questions (answered wrong) and the last
    `skip` questions (not answered)."""
    result = []
    questions = list(course.questions.prefetch_related("choices").order_by("position", "id"))
    for index, question in enumerate(questions[: len(questions) - skip]):
        choices = list(question.choices.all())
        if index < wrong:
            ids = [next(c.pk for c in choices if not c.correct)]
        else:
            ids = [c.pk for c in choices if c.correct]
        result.append(services.AnswerData(question_id=question.pk, choice_ids=ids))
    return result


def first_lesson(course: Course) -> Lesson:
    """The course's first lesson (there is one)."""
    lesson = course.lessons.first()
    assert lesson is not None
    return lesson


def first_choice(course: Course) -> Choice:
    """The first choice of the course's first question (there is one)."""
    question = course.questions.first()
    assert question is not None
    choice = question.choices.first()
    assert choice is not None
    return choice


def make_event(
    actor: Membership,
    *,
    capacity: int = 2,
    starts_in: dt.timedelta = dt.timedelta(days=3),
    coach: Membership | None = None,
    **overrides: object,
) -> Event:
    start = clock.now() + starts_in
    data = services.EventData(
        title="Coaching LinkedIn",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=capacity,
        place="Salle Ampère, Lyon",
        coach_id=coach.pk if coach else None,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return services.event_create(actor=actor, data=data)


@pytest.fixture
def course(admin: Membership) -> Course:
    return make_course(admin)


@pytest.fixture
def api_as(db) -> Callable[[Membership], ApiClient]:
    def make(membership: Membership) -> ApiClient:
        return ApiClient(token_for(membership))

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the services queue on commit (emails) at the end
    of the block, as a real commit would."""

    def make():
        return django_capture_on_commit_callbacks(execute=True)

    return make
