"""API router of course authoring (in the `training` area, mounted beside training's own
router): what /training/manage/ offers to training managers (`training.manage`): the
courses with their lessons and quiz, create and change a course, publish and unpublish it,
add, change and delete its lessons and questions. The same selectors and services as the
pages, so the same rules; another organization's course is a 404, and a lesson or question
of another course too. Lists answer drafts as well as published courses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import BodyId, DbId, StrictBool, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import Course, Lesson, QuestionKind, RequiredFor
from .services.authoring import MAX_CHOICE, MAX_CHOICES, MAX_TEXT, MAX_TITLE

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["course authoring"])

LANGUAGE_ENUM: JsonDict = {"enum": ["fr", "en"]}
REQUIRED_ENUM: JsonDict = {"enum": list(RequiredFor.values)}
QUESTION_KIND_ENUM: JsonDict = {"enum": list(QuestionKind.values)}


class AuthoringCourseIn(Schema):
    """A course, whole (PUT replaces every field)."""

    title: Text = Field(..., min_length=1, max_length=MAX_TITLE)
    language: Text = Field(..., max_length=8, json_schema_extra=LANGUAGE_ENUM)
    summary: Text = Field("", max_length=MAX_TEXT)
    required_for: Text = Field(
        "", max_length=20, json_schema_extra=REQUIRED_ENUM, description="Empty: nobody"
    )
    passing_score: StrictInt = Field(80, ge=1, le=100, description="Percent")
    translation_of_id: BodyId | None = Field(None, description="The original course")


class AuthoringLessonIn(Schema):
    title: Text = Field(..., min_length=1, max_length=MAX_TITLE)
    body: Text = Field("", max_length=MAX_TEXT, description="Markdown")
    position: StrictInt | None = Field(None, ge=1, description="Left out: after the last one")


class AuthoringChoiceIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_CHOICE)]
    correct: StrictBool = False


class AuthoringQuestionIn(Schema):
    prompt: Text = Field(..., min_length=1, max_length=MAX_TEXT)
    kind: Text = Field(QuestionKind.SINGLE, max_length=20, json_schema_extra=QUESTION_KIND_ENUM)
    explanation: Text = Field("", max_length=MAX_TEXT)
    choices: list[AuthoringChoiceIn] = Field(..., min_length=2, max_length=MAX_CHOICES)
    lesson_id: BodyId | None = Field(None, description="A lesson of this course")
    position: StrictInt | None = Field(None, ge=1, description="Left out: after the last one")


class AuthoringLessonOut(Schema):
    id: int
    position: int
    title: str
    body: str


class AuthoringChoiceOut(Schema):
    id: int
    text: str
    correct: bool


class AuthoringQuestionOut(Schema):
    id: int
    position: int
    kind: str = Field(..., json_schema_extra=QUESTION_KIND_ENUM)
    prompt: str
    explanation: str
    lesson_id: int | None
    choices: list[AuthoringChoiceOut]


class AuthoringCourseOut(Schema):
    id: int
    title: str
    language: str
    summary: str
    required_for: str
    passing_score: int
    translation_of_id: int | None
    published: bool
    published_at: dt.datetime | None
    lessons: list[AuthoringLessonOut]
    questions: list[AuthoringQuestionOut]


class AuthoringCourseSummaryOut(Schema):
    id: int
    title: str
    language: str
    published: bool
    lesson_count: int
    question_count: int


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _course_out(course: Course) -> AuthoringCourseOut:
    return AuthoringCourseOut(
        id=course.pk,
        title=course.title,
        language=course.language,
        summary=course.summary,
        required_for=course.required_for,
        passing_score=course.passing_score,
        translation_of_id=course.translation_of_id,
        published=course.published,
        published_at=course.published_at,
        lessons=[
            AuthoringLessonOut(id=x.pk, position=x.position, title=x.title, body=x.body)
            for x in selectors.lessons(course=course)
        ],
        questions=[
            AuthoringQuestionOut(
                id=q.pk,
                position=q.position,
                kind=q.kind,
                prompt=q.prompt,
                explanation=q.explanation,
                lesson_id=q.lesson_id,
                choices=[
                    AuthoringChoiceOut(id=c.pk, text=c.text, correct=c.correct)
                    for c in q.choices.all()
                ],
            )
            for q in selectors.quiz_questions(course=course)
        ],
    )


def _fresh(membership: Membership, course_id: int) -> AuthoringCourseOut:
    return _course_out(selectors.course_to_manage(membership=membership, pk=course_id))


def _course_data(payload: AuthoringCourseIn) -> services.CourseData:
    return services.CourseData(
        title=payload.title,
        language=payload.language,
        summary=payload.summary,
        required_for=payload.required_for,
        passing_score=payload.passing_score,
        translation_of_id=payload.translation_of_id,
    )


def _lesson_data(payload: AuthoringLessonIn) -> services.LessonData:
    return services.LessonData(title=payload.title, body=payload.body, position=payload.position)


def _question_data(payload: AuthoringQuestionIn) -> services.QuestionData:
    return services.QuestionData(
        prompt=payload.prompt,
        kind=payload.kind,
        explanation=payload.explanation,
        choices=[services.ChoiceData(text=c.text, correct=c.correct) for c in payload.choices],
        lesson_id=payload.lesson_id,
        position=payload.position,
    )


def _lesson(membership: Membership, course_id: int, lesson_id: int) -> Lesson:
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    return selectors.lesson_of(course=course, pk=lesson_id)


# --- Courses

PREFIX = "/training/manage/courses"


@router.get(PREFIX, response=responses({200: list[AuthoringCourseSummaryOut]}))
def course_list(request: HttpRequest) -> list[AuthoringCourseSummaryOut]:
    """Every course of the organization, drafts included."""
    return [
        AuthoringCourseSummaryOut(
            id=c.pk,
            title=c.title,
            language=c.language,
            published=c.published,
            lesson_count=c.lesson_count,  # type: ignore[attr-defined]
            question_count=c.question_count,  # type: ignore[attr-defined]
        )
        for c in selectors.courses_to_manage(membership=_membership(request))
    ]


@router.post(PREFIX, response=responses({201: AuthoringCourseOut}))
def course_create(request: HttpRequest, payload: AuthoringCourseIn) -> Status[AuthoringCourseOut]:
    """A new course, as a draft."""
    membership = _membership(request)
    course = services.course_create(actor=membership, data=_course_data(payload))
    return Status(201, _fresh(membership, course.pk))


@router.get(PREFIX + "/{course_id}", response=responses({200: AuthoringCourseOut}))
def course_detail(request: HttpRequest, course_id: DbId) -> AuthoringCourseOut:
    """The course with its lessons and its quiz (the correct answers too)."""
    return _fresh(_membership(request), course_id)


@router.put(PREFIX + "/{course_id}", response=responses({200: AuthoringCourseOut}))
def course_update(
    request: HttpRequest, course_id: DbId, payload: AuthoringCourseIn
) -> AuthoringCourseOut:
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    services.course_update(actor=membership, course=course, data=_course_data(payload))
    return _fresh(membership, course_id)


@router.post(PREFIX + "/{course_id}/publish", response=responses({200: AuthoringCourseOut}))
def course_publish(request: HttpRequest, course_id: DbId) -> AuthoringCourseOut:
    """Members see it and may take it; its requirement applies. 409 while it has no lesson
    or no valid quiz."""
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    services.course_publish(actor=membership, course=course)
    return _fresh(membership, course_id)


@router.post(PREFIX + "/{course_id}/unpublish", response=responses({200: AuthoringCourseOut}))
def course_unpublish(request: HttpRequest, course_id: DbId) -> AuthoringCourseOut:
    """Back to draft; progress and certificates are kept."""
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    services.course_unpublish(actor=membership, course=course)
    return _fresh(membership, course_id)


# --- Lessons


@router.post(PREFIX + "/{course_id}/lessons", response=responses({201: AuthoringLessonOut}))
def lesson_create(
    request: HttpRequest, course_id: DbId, payload: AuthoringLessonIn
) -> Status[AuthoringLessonOut]:
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    lesson = services.lesson_create(actor=membership, course=course, data=_lesson_data(payload))
    out = AuthoringLessonOut(
        id=lesson.pk, position=lesson.position, title=lesson.title, body=lesson.body
    )
    return Status(201, out)


@router.put(
    PREFIX + "/{course_id}/lessons/{lesson_id}", response=responses({200: AuthoringLessonOut})
)
def lesson_update(
    request: HttpRequest, course_id: DbId, lesson_id: DbId, payload: AuthoringLessonIn
) -> AuthoringLessonOut:
    membership = _membership(request)
    lesson = _lesson(membership, course_id, lesson_id)
    lesson = services.lesson_update(actor=membership, lesson=lesson, data=_lesson_data(payload))
    return AuthoringLessonOut(
        id=lesson.pk, position=lesson.position, title=lesson.title, body=lesson.body
    )


@router.delete(PREFIX + "/{course_id}/lessons/{lesson_id}", response=responses({204: None}))
def lesson_delete(request: HttpRequest, course_id: DbId, lesson_id: DbId) -> Status[None]:
    """409 for the last lesson of a published course."""
    membership = _membership(request)
    services.lesson_delete(actor=membership, lesson=_lesson(membership, course_id, lesson_id))
    return Status(204, None)


# --- Quiz questions


@router.post(PREFIX + "/{course_id}/questions", response=responses({201: AuthoringCourseOut}))
def question_create(
    request: HttpRequest, course_id: DbId, payload: AuthoringQuestionIn
) -> Status[AuthoringCourseOut]:
    """Add a question (single choice: exactly one correct answer); answers the course."""
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    services.question_create(actor=membership, course=course, data=_question_data(payload))
    return Status(201, _fresh(membership, course_id))


@router.put(
    PREFIX + "/{course_id}/questions/{question_id}",
    response=responses({200: AuthoringCourseOut}),
)
def question_update(
    request: HttpRequest, course_id: DbId, question_id: DbId, payload: AuthoringQuestionIn
) -> AuthoringCourseOut:
    """Replace the question and its answers; answers the course."""
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    question = selectors.question_to_manage(course=course, pk=question_id)
    services.question_update(actor=membership, question=question, data=_question_data(payload))
    return _fresh(membership, course_id)


@router.delete(PREFIX + "/{course_id}/questions/{question_id}", response=responses({204: None}))
def question_delete(request: HttpRequest, course_id: DbId, question_id: DbId) -> Status[None]:
    membership = _membership(request)
    course = selectors.course_to_manage(membership=membership, pk=course_id)
    question = selectors.question_to_manage(course=course, pk=question_id)
    services.question_delete(actor=membership, question=question)
    return Status(204, None)
