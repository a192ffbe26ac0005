"""Taking a course: progress per lesson, quiz attempts (retries, best score), certificates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound

from .. import scoring, signals
from ..models import (
    Certificate,
    Course,
    Enrollment,
    Lesson,
    LessonCompletion,
    Question,
    QuestionKind,
    QuizAttempt,
)
from ..public_ids import new_public_id

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_REASON = 300


# --- Data


@dataclass
class AnswerData:
    question_id: int
    choice_ids: list[int] = field(default_factory=list)


@dataclass
class AttemptResult:
    attempt: QuizAttempt
    questions: list[Question]  # with their choices prefetched, in quiz order
    score: scoring.Score
    enrollment: Enrollment
    certificate: Certificate | None  # the valid certificate, when passed
    certificate_issued: bool  # issued by this very attempt


# --- Taking a course


def _taking(membership: Membership, course: Course) -> None:
    if course.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    require(membership, "training.take", course)
    if not course.published:
        raise Conflict(_("This course is not published."))


def _enrollment(membership: Membership, course: Course) -> Enrollment:
    """The member's progress row, created at their first step, and locked for the update."""
    enrollment, _created = Enrollment.objects.get_or_create(
        membership=membership,
        course=course,
        defaults={"organization_id": course.organization_id, "started_at": clock.now()},
    )
    return Enrollment.objects.select_for_update().get(pk=enrollment.pk)


@transaction.atomic
def lesson_complete(*, membership: Membership, lesson: Lesson) -> Enrollment:
    """Record that the member read `lesson` (idempotent): progress is saved per lesson."""
    course = lesson.course
    _taking(membership, course)
    enrollment = _enrollment(membership, course)
    LessonCompletion.objects.get_or_create(
        enrollment=enrollment, lesson=lesson, defaults={"completed_at": clock.now()}
    )
    return enrollment


def _validated_answers(
    questions: list[Question], answers: Sequence[AnswerData]
) -> dict[int, frozenset[int]]:
    """{question id: chosen choice ids}, or a DomainError (400) naming each bad answer."""
    by_id = {q.pk: q for q in questions}
    errors: dict[str, list[str]] = {}
    chosen: dict[int, frozenset[int]] = {}
    for index, answer in enumerate(answers):
        question = by_id.get(answer.question_id)
        if question is None:
            errors[f"answers.{index}.question_id"] = [_("Unknown question.")]
            continue
        if question.pk in chosen:
            errors[f"answers.{index}.question_id"] = [_("This question is answered twice.")]
            continue
        valid = {c.pk for c in question.choices.all()}
        ids = frozenset(answer.choice_ids)
        if not ids <= valid:
            errors[f"answers.{index}.choice_ids"] = [_("Unknown answer.")]
            continue
        if question.kind == QuestionKind.SINGLE and len(ids) > 1:
            errors[f"answers.{index}.choice_ids"] = [_("Choose one answer only.")]
            continue
        chosen[question.pk] = ids
    if errors:
        raise DomainError(_("Some answers are not valid."), field_errors=errors)
    return chosen


def _issue_certificate(
    membership: Membership, course: Course, score: int
) -> tuple[Certificate, bool]:
    existing = Certificate.objects.filter(
        membership=membership, course=course, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    organization_id=course.organization_id,
                    public_id=new_public_id(),
                    membership=membership,
                    course=course,
                    holder_name=membership.user.display_name,
                    course_title=course.title,
                    score=score,
                    issued_at=clock.now(),
                )
            return certificate, True
        except IntegrityError:
            # Another attempt of the same person won the race, or (1 in 2**60) the random
            # id was taken: look again, then draw a new id.
            existing = Certificate.objects.filter(
                membership=membership, course=course, revoked_at__isnull=True
            ).first()
            if existing is not None:
                return existing, False
    raise RuntimeError("could not draw a free certificate id")  # pragma: no cover


@transaction.atomic
def quiz_submit(
    *, membership: Membership, course: Course, answers: Sequence[AnswerData]
) -> AttemptResult:
    """Score one attempt at the course's quiz (see `scoring` for the rules).

    Retries are allowed and each is recorded; the best score is kept on the enrollment.
    The first passing attempt issues the certificate.
    """
    _taking(membership, course)
    questions = list(course.questions.prefetch_related("choices").order_by("position", "id"))
    if not questions:
        raise Conflict(_("This course has no quiz yet."))
    chosen = _validated_answers(questions, answers)
    keys = [
        scoring.QuestionKey(
            id=q.pk,
            kind=q.kind,
            correct=frozenset(c.pk for c in q.choices.all() if c.correct),
            choices=frozenset(c.pk for c in q.choices.all()),
        )
        for q in questions
    ]
    result = scoring.score_answers(keys, chosen, course.passing_score)
    now = clock.now()
    enrollment = _enrollment(membership, course)
    attempt = QuizAttempt.objects.create(
        organization_id=course.organization_id,
        membership=membership,
        course=course,
        answers={str(qid): sorted(ids) for qid, ids in chosen.items()},
        correct_count=result.correct_count,
        question_count=result.question_count,
        score=result.score,
        passed=result.passed,
        created_at=now,
    )
    enrollment.attempt_count += 1
    enrollment.best_score = max(enrollment.best_score or 0, result.score)
    fields = ["attempt_count", "best_score"]
    certificate, issued = None, False
    if result.passed:
        if enrollment.completed_at is None:
            enrollment.completed_at = now
            fields.append("completed_at")
        certificate, issued = _issue_certificate(membership, course, result.score)
        if issued:
            signals.course_passed.send(
                sender=Certificate,
                organization_id=course.organization_id,
                membership_id=membership.pk,
                course_id=course.pk,
                certificate_id=certificate.pk,
                at=certificate.issued_at,
            )
    enrollment.save(update_fields=fields)
    return AttemptResult(
        attempt=attempt,
        questions=questions,
        score=result,
        enrollment=enrollment,
        certificate=certificate,
        certificate_issued=issued,
    )


@transaction.atomic
def certificate_revoke(*, actor: Membership, certificate: Certificate, reason: str) -> Certificate:
    """The public page then says "revoked"; the holder may pass the course again."""
    require(actor, "training.manage", certificate)
    if certificate.organization_id != actor.organization_id:
        raise NotFound(_("Not found."))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("The reason has errors."),
            field_errors={"reason": [_("At most %(max)d characters.") % {"max": MAX_REASON}]},
        )
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."))
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate
