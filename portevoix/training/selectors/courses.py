"""Reads about courses: what a member must pass, their progress, certificates, authoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import translation

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped

from ..models import (
    Certificate,
    Choice,
    Course,
    Enrollment,
    Lesson,
    LessonCompletion,
    Question,
    QuizAttempt,
    RequiredFor,
)
from ..public_ids import is_well_formed, normalize_public_id

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The id shared by a course and its translations, as a query expression.
GROUP = Coalesce(F("translation_of_id"), F("id"))
COURSE_GROUP = Coalesce(F("course__translation_of_id"), F("course_id"))

PURPOSES = {
    "share": (RequiredFor.SHARE,),
    # Personalizing a text is a way of sharing: what sharing requires applies too.
    "personalize": (RequiredFor.SHARE, RequiredFor.PERSONALIZE),
}


def _prefer_language(courses: list[Course]) -> Course:
    """Among a course and its translations, the one in the reader's language."""
    language = (translation.get_language() or "").split("-")[0]
    for course in courses:
        if course.language == language:
            return course
    for course in courses:
        if course.translation_of_id is None:
            return course
    return courses[0]


def passed_groups(membership: Membership) -> set[int]:
    """Course groups (see `Course.group_id`) the member holds a valid certificate for."""
    return set(
        Certificate.objects.filter(membership=membership, revoked_at__isnull=True)
        .annotate(group=COURSE_GROUP)
        .values_list("group", flat=True)
    )


def missing_required_courses(*, membership: Any, purpose: str) -> list[Any]:
    """Courses the organization requires for `purpose` ("share" or "personalize") that
    `membership` has not passed yet.

    "share": published courses required before sharing. "personalize": those, plus the
    ones required before personalizing texts. Passing a translation of a required course
    counts; one course per missing group is returned, in the reader's language when it
    exists. Two queries.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    published = list(
        scoped(Course, membership.organization_id)
        .filter(published=True)
        .annotate(group=GROUP)
        .order_by("title", "id")
    )
    required_groups = {c.group for c in published if c.required_for in PURPOSES[purpose]}
    if not required_groups:
        return []
    missing = required_groups - passed_groups(membership)
    by_group: dict[int, list[Course]] = {}
    for course in published:
        if course.group in missing:
            by_group.setdefault(course.group, []).append(course)
    chosen = [_prefer_language(courses) for courses in by_group.values()]
    return sorted(chosen, key=lambda c: (c.title, c.pk))


# --- Courses for members


@dataclass
class CourseStatus:
    course: Course
    lesson_count: int
    lessons_done: int
    best_score: int | None
    attempts: int
    passed: bool  # this course or a translation
    certificate: Certificate | None  # the valid certificate for this very course

    @property
    def started(self) -> bool:
        return self.attempts > 0 or self.lessons_done > 0

    @property
    def percent_done(self) -> int:
        return (self.lessons_done * 100) // self.lesson_count if self.lesson_count else 0


def courses_for_member(*, membership: Membership) -> list[CourseStatus]:
    """Published courses with the member's progress. Four queries."""
    require(membership, "training.take")
    courses = list(
        scoped(Course, membership.organization_id)
        .filter(published=True)
        .annotate(lesson_count=Count("lessons", distinct=True), group=GROUP)
        .order_by("title", "id")
    )
    enrollments = {
        e.course_id: e
        for e in Enrollment.objects.filter(membership=membership).annotate(
            done=Count("completions")
        )
    }
    certificates = {
        c.course_id: c
        for c in Certificate.objects.filter(membership=membership, revoked_at__isnull=True)
    }
    groups = passed_groups(membership)
    rows = []
    for course in courses:
        enrollment = enrollments.get(course.pk)
        rows.append(
            CourseStatus(
                course=course,
                lesson_count=course.lesson_count,
                lessons_done=getattr(enrollment, "done", 0) if enrollment else 0,
                best_score=enrollment.best_score if enrollment else None,
                attempts=enrollment.attempt_count if enrollment else 0,
                passed=course.group in groups,
                certificate=certificates.get(course.pk),
            )
        )
    return rows


def course_for_member(*, membership: Membership, pk: int) -> Course:
    """A published course (drafts too, for those who author courses: a preview)."""
    require(membership, "training.take")
    qs = scoped(Course, membership.organization_id).select_related("translation_of")
    if not can(membership, "training.manage"):
        qs = qs.filter(published=True)
    return get_scoped_or_404(qs, membership.organization_id, pk=pk)


def lessons(*, course: Course) -> list[Lesson]:
    return list(course.lessons.order_by("position", "id"))


def lesson_of(*, course: Course, pk: int) -> Lesson:
    return get_scoped_or_404(
        Lesson.objects.filter(course=course).select_related("course"),
        course.organization_id,
        pk=pk,
    )


def quiz_questions(*, course: Course) -> list[Question]:
    return list(
        course.questions.select_related("lesson")
        .prefetch_related("choices")
        .order_by("position", "id")
    )


def choices_of(question: Question) -> list[Choice]:
    """The choices of a question of `quiz_questions` (prefetched: no query), in order."""
    return list(question.choices.all())


def course_status(*, membership: Membership, course: Course) -> CourseStatus:
    lesson_count = course.lessons.count()
    enrollment = Enrollment.objects.filter(membership=membership, course=course).first()
    done = enrollment.completions.count() if enrollment else 0
    certificate = Certificate.objects.filter(
        membership=membership, course=course, revoked_at__isnull=True
    ).first()
    return CourseStatus(
        course=course,
        lesson_count=lesson_count,
        lessons_done=done,
        best_score=enrollment.best_score if enrollment else None,
        attempts=enrollment.attempt_count if enrollment else 0,
        passed=course.group_id in passed_groups(membership),
        certificate=certificate,
    )


def completed_lesson_ids(*, membership: Membership, course: Course) -> set[int]:
    return set(
        LessonCompletion.objects.filter(
            enrollment__membership=membership, enrollment__course=course
        ).values_list("lesson_id", flat=True)
    )


def last_attempt(*, membership: Membership, course: Course) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(membership=membership, course=course).first()


def translations_of(*, course: Course) -> list[Course]:
    """The other published languages of the course."""
    group = course.group_id
    return list(
        scoped(Course, course.organization_id)
        .filter(Q(pk=group) | Q(translation_of_id=group), published=True)
        .exclude(pk=course.pk)
        .order_by("language")
    )


# --- Certificates


def my_certificates(*, membership: Membership) -> QuerySet[Certificate]:
    return (
        scoped(Certificate, membership.organization_id)
        .filter(membership=membership)
        .select_related("course")
        .order_by("-issued_at", "-id")
    )


def certificate_public(*, public_id: str) -> Certificate:
    """Any organization's certificate, by its public id: the verification page is public
    by design (the id is the secret). Unknown or malformed id: NotFound (404)."""
    normalized = normalize_public_id(public_id)
    if not is_well_formed(normalized):
        raise NotFound("Not found")
    certificate = (
        Certificate.objects.select_related("organization", "course")
        .filter(public_id=normalized)
        .first()
    )
    if certificate is None:
        raise NotFound("Not found")
    return certificate


def certificate_of_holder(*, membership: Membership, public_id: str) -> Certificate:
    """The certificate, only for its holder (anyone else: 404)."""
    return get_scoped_or_404(
        Certificate.objects.select_related("organization", "course").filter(membership=membership),
        membership.organization_id,
        public_id=normalize_public_id(public_id),
    )


def certificate_in_org(*, membership: Membership, public_id: str) -> Certificate:
    return get_scoped_or_404(
        Certificate.objects.select_related("course", "membership__user"),
        membership.organization_id,
        public_id=normalize_public_id(public_id),
    )


# --- Authoring


def courses_to_manage(*, membership: Membership) -> QuerySet[Course]:
    require(membership, "training.manage")
    return (
        scoped(Course, membership.organization_id)
        .select_related("translation_of")
        .annotate(
            lesson_count=Count("lessons", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("title", "id")
    )


def course_to_manage(*, membership: Membership, pk: int) -> Course:
    require(membership, "training.manage")
    return get_scoped_or_404(
        Course.objects.select_related("translation_of"), membership.organization_id, pk=pk
    )


def originals_for_translation(*, membership: Membership, exclude: Course | None) -> list[Course]:
    """Courses a course may be the translation of."""
    qs = scoped(Course, membership.organization_id).filter(translation_of__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("title", "id"))


def question_to_manage(*, course: Course, pk: int) -> Question:
    return get_scoped_or_404(
        Question.objects.filter(course=course).prefetch_related("choices"),
        course.organization_id,
        pk=pk,
    )
