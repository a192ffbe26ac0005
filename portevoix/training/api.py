"""API router for training: courses, lessons, quiz attempts, certificates and events.

Endpoints only parse, authorize (through services and selectors), call a service or
selector, and return a schema. The public certificate check is the HTML page
/certificates/<id>/; the API one is authenticated and limited to the token's organization.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import BodyId, DbId, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError

from . import selectors, services
from .models import (
    Certificate,
    Event,
    EventKind,
    QuestionKind,
    Registration,
    RegistrationStatus,
    RequiredFor,
)
from .services.events import MAX_CAPACITY as EVENT_MAX_CAPACITY
from .services.events import MAX_PLACE as EVENT_MAX_PLACE
from .services.events import MAX_TEXT as EVENT_MAX_TEXT
from .services.events import MAX_TITLE as EVENT_MAX_TITLE
from .services.events import MAX_URL as EVENT_MAX_URL
from .services.learning import MAX_REASON as CERTIFICATE_MAX_REASON

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["training"])

MAX_ANSWERS = 200
MAX_CHOICES = 20


# An id in a JSON body: a number, never `true` or `"3"`.


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _enum(values: list[str]) -> JsonDict:
    return {"enum": list(values)}


# --- Schemas


class ProgressOut(Schema):
    lesson_count: int
    lessons_done: int
    completed_lesson_ids: list[int]
    best_score: int | None
    attempts: int
    passed: bool = Field(..., description="This course or one of its translations is passed")
    certificate_id: str | None = Field(None, description="Public id of the valid certificate")


class CourseSummaryOut(Schema):
    id: int
    title: str
    summary: str
    language: str
    translation_of: int | None
    required_for: str = Field(
        ...,
        description="What the course is required for",
        json_schema_extra=_enum(RequiredFor.values),
    )
    passing_score: int
    lesson_count: int
    lessons_done: int
    best_score: int | None
    passed: bool


class LessonOut(Schema):
    id: int
    position: int
    title: str
    body: str = Field(..., description="Markdown")
    body_html: str
    completed: bool


class ChoiceOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra=_enum(QuestionKind.values))
    prompt: str
    choices: list[ChoiceOut]


class CourseDetailOut(Schema):
    id: int
    title: str
    summary: str
    language: str
    translation_of: int | None
    required_for: str = Field(..., json_schema_extra=_enum(RequiredFor.values))
    passing_score: int
    lessons: list[LessonOut]
    questions: list[QuestionOut] = Field(..., description="Without the correct answers")
    progress: ProgressOut


class AnswerIn(Schema):
    question_id: BodyId
    choice_ids: list[BodyId] = Field([], max_length=MAX_CHOICES)


class AttemptIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=MAX_ANSWERS)


class QuestionResultOut(Schema):
    question_id: int
    correct: bool
    chosen_ids: list[int]
    correct_choice_ids: list[int]
    explanation: str


class AttemptOut(Schema):
    id: int
    score: int = Field(..., description="Percent of the questions answered right, rounded down")
    passed: bool
    correct_count: int
    question_count: int
    passing_score: int
    best_score: int
    certificate_id: str | None
    certificate_issued: bool = Field(..., description="Issued by this attempt")
    results: list[QuestionResultOut]


class CertificateOut(Schema):
    public_id: str
    holder_name: str
    course_id: int
    course_title: str
    organization: str
    score: int
    issued_at: dt.datetime
    valid: bool
    revoked_at: dt.datetime | None
    verify_url: str


class CoachOut(Schema):
    id: int
    name: str


class RegistrationOut(Schema):
    status: str = Field(..., json_schema_extra=_enum(RegistrationStatus.values))
    position: int | None = Field(None, description="Rank on the waiting list")
    attended: bool | None


class EventOut(Schema):
    id: int
    title: str
    kind: str = Field(..., json_schema_extra=_enum(EventKind.values))
    description_html: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    video_url: str
    coach: CoachOut | None
    capacity: int
    registered: int
    waitlisted: int
    registration: RegistrationOut | None


class EventIn(Schema):
    """An event, whole (PUT replaces every field). A place or a video link is required."""

    title: Text = Field(..., min_length=1, max_length=EVENT_MAX_TITLE)
    kind: Text = Field(EventKind.COACHING, max_length=20, json_schema_extra=_enum(EventKind.values))
    starts_at: dt.datetime = Field(..., description="ISO 8601 with a time zone; in the future")
    ends_at: dt.datetime = Field(..., description="After the start")
    capacity: StrictInt = Field(20, ge=1, le=EVENT_MAX_CAPACITY)
    description: Text = Field("", max_length=EVENT_MAX_TEXT, description="Markdown")
    place: Text = Field("", max_length=EVENT_MAX_PLACE)
    video_url: Text = Field("", max_length=EVENT_MAX_URL, description="https://")
    coach_id: BodyId | None = Field(None, description="A member of the organization")


class ParticipantOut(Schema):
    registration_id: int
    member_id: int
    name: str
    status: str = Field(..., json_schema_extra=_enum(RegistrationStatus.values))
    position: int | None = Field(..., description="On the waiting list")
    attended: bool | None


class AttendanceIn(Schema):
    attended_ids: list[BodyId] = Field(
        ..., max_length=EVENT_MAX_CAPACITY, description="Registration ids of who came"
    )


class AttendanceOut(Schema):
    attended: int
    registered: int


# --- Builders


def _progress(membership: Membership, course_id: int) -> ProgressOut:
    course = selectors.course_for_member(membership=membership, pk=course_id)
    status = selectors.course_status(membership=membership, course=course)
    done = selectors.completed_lesson_ids(membership=membership, course=course)
    return ProgressOut(
        lesson_count=status.lesson_count,
        lessons_done=status.lessons_done,
        completed_lesson_ids=sorted(done),
        best_score=status.best_score,
        attempts=status.attempts,
        passed=status.passed,
        certificate_id=status.certificate.public_id if status.certificate else None,
    )


def _certificate_out(request: HttpRequest, c: Certificate) -> CertificateOut:
    return CertificateOut(
        public_id=c.public_id,
        holder_name=c.holder_name,
        course_id=c.course_id,
        course_title=c.course_title,
        organization=c.organization.name,
        score=c.score,
        issued_at=c.issued_at,
        valid=c.is_valid,
        revoked_at=c.revoked_at,
        verify_url=request.build_absolute_uri(f"/certificates/{c.public_id}/"),
    )


def _registration_out(r: Registration | None) -> RegistrationOut | None:
    if r is None:
        return None
    return RegistrationOut(status=r.status, position=r.position, attended=r.attended)


def _event_out(row: selectors.EventRow) -> EventOut:
    e: Event = row.event
    return EventOut(
        id=e.pk,
        title=e.title,
        kind=e.kind,
        description_html=e.description_html,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        place=e.place,
        video_url=e.video_url,
        coach=CoachOut(id=e.coach.pk, name=e.coach.user.display_name) if e.coach else None,
        capacity=e.capacity,
        registered=row.registered,
        waitlisted=row.waitlisted,
        registration=_registration_out(row.mine),
    )


# --- Courses


@router.get("/courses", response=responses({200: list[CourseSummaryOut]}))
def course_list(request: HttpRequest) -> list[CourseSummaryOut]:
    """Published courses, with the caller's progress."""
    return [
        CourseSummaryOut(
            id=row.course.pk,
            title=row.course.title,
            summary=row.course.summary,
            language=row.course.language,
            translation_of=row.course.translation_of_id,
            required_for=row.course.required_for,
            passing_score=row.course.passing_score,
            lesson_count=row.lesson_count,
            lessons_done=row.lessons_done,
            best_score=row.best_score,
            passed=row.passed,
        )
        for row in selectors.courses_for_member(membership=_membership(request))
    ]


@router.get("/courses/{course_id}", response=responses({200: CourseDetailOut}))
def course_detail(request: HttpRequest, course_id: DbId) -> CourseDetailOut:
    """A course with its lessons and quiz (without the answers), and the caller's progress."""
    membership = _membership(request)
    course = selectors.course_for_member(membership=membership, pk=course_id)
    done = selectors.completed_lesson_ids(membership=membership, course=course)
    return CourseDetailOut(
        id=course.pk,
        title=course.title,
        summary=course.summary,
        language=course.language,
        translation_of=course.translation_of_id,
        required_for=course.required_for,
        passing_score=course.passing_score,
        lessons=[
            LessonOut(
                id=lesson.pk,
                position=lesson.position,
                title=lesson.title,
                body=lesson.body,
                body_html=lesson.body_html,
                completed=lesson.pk in done,
            )
            for lesson in selectors.lessons(course=course)
        ],
        questions=[
            QuestionOut(
                id=q.pk,
                kind=q.kind,
                prompt=q.prompt,
                choices=[ChoiceOut(id=c.pk, text=c.text) for c in selectors.choices_of(q)],
            )
            for q in selectors.quiz_questions(course=course)
        ],
        progress=_progress(membership, course.pk),
    )


@router.post(
    "/courses/{course_id}/lessons/{lesson_id}/complete", response=responses({200: ProgressOut})
)
def lesson_complete(request: HttpRequest, course_id: DbId, lesson_id: DbId) -> ProgressOut:
    """Record that the caller read the lesson (idempotent)."""
    membership = _membership(request)
    course = selectors.course_for_member(membership=membership, pk=course_id)
    lesson = selectors.lesson_of(course=course, pk=lesson_id)
    services.lesson_complete(membership=membership, lesson=lesson)
    return _progress(membership, course.pk)


@router.post("/courses/{course_id}/attempts", response=responses({201: AttemptOut}))
def attempt_create(request: HttpRequest, course_id: DbId, payload: AttemptIn) -> Status[AttemptOut]:
    """Submit answers to the quiz. Single choice: right when the chosen answer is correct.
    Multiple choice: right only when exactly the correct answers are chosen. Unanswered
    questions are wrong. Retries are allowed; the best score counts."""
    membership = _membership(request)
    course = selectors.course_for_member(membership=membership, pk=course_id)
    result = services.quiz_submit(
        membership=membership,
        course=course,
        answers=[
            services.AnswerData(question_id=a.question_id, choice_ids=list(a.choice_ids))
            for a in payload.answers
        ],
    )
    by_id = {r.question_id: r for r in result.score.results}
    out = AttemptOut(
        id=result.attempt.pk,
        score=result.score.score,
        passed=result.score.passed,
        correct_count=result.score.correct_count,
        question_count=result.score.question_count,
        passing_score=course.passing_score,
        best_score=result.enrollment.best_score or 0,
        certificate_id=result.certificate.public_id if result.certificate else None,
        certificate_issued=result.certificate_issued,
        results=[
            QuestionResultOut(
                question_id=q.pk,
                correct=by_id[q.pk].correct,
                chosen_ids=sorted(by_id[q.pk].chosen),
                correct_choice_ids=[c.pk for c in selectors.choices_of(q) if c.correct],
                explanation=q.explanation,
            )
            for q in result.questions
        ],
    )
    return Status(201, out)


@router.get("/certificates/{public_id}", response=responses({200: CertificateOut}))
def certificate_detail(request: HttpRequest, public_id: Text) -> CertificateOut:
    """A certificate of the token's organization. Anyone can check any certificate on the
    public page `/certificates/<id>/` (HTML, no login)."""
    if len(public_id) > 40:
        raise DomainError(_("Unknown certificate."), field_errors={"public_id": [_("Too long.")]})
    certificate = selectors.certificate_in_org(membership=_membership(request), public_id=public_id)
    return _certificate_out(request, certificate)


class CertificateRevokeIn(Schema):
    reason: Text = Field("", max_length=CERTIFICATE_MAX_REASON)


@router.post("/certificates/{public_id}/revoke", response=responses({200: CertificateOut}))
def certificate_revoke(
    request: HttpRequest, public_id: Text, payload: CertificateRevokeIn
) -> CertificateOut:
    """Revoke a certificate (`training.manage`): its public page then says "revoked", and
    its holder may pass the course again. 409 if it is already revoked."""
    if len(public_id) > 40:
        raise DomainError(_("Unknown certificate."), field_errors={"public_id": [_("Too long.")]})
    membership = _membership(request)
    certificate = selectors.certificate_in_org(membership=membership, public_id=public_id)
    certificate = services.certificate_revoke(
        actor=membership, certificate=certificate, reason=payload.reason
    )
    return _certificate_out(request, certificate)
