"""Course authoring: courses, lessons, quiz questions with their answers, publishing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.accounts.selectors import LANGUAGE_CHOICES
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.markdown import render_markdown
from portevoix.core.tenancy import scoped

from ..models import (
    Choice,
    Course,
    Lesson,
    Question,
    QuestionKind,
    RequiredFor,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

LANGUAGES = {code for code, _label in LANGUAGE_CHOICES}
MAX_TITLE = 200
MAX_TEXT = 100_000
MAX_CHOICE = 500
MAX_CHOICES = 10
MIN_CHOICES = 2
MAX_REASON = 300


# --- Data


@dataclass
class CourseData:
    title: str
    language: str
    summary: str = ""
    required_for: str = ""
    passing_score: int = 80
    translation_of_id: int | None = None


@dataclass
class LessonData:
    title: str
    body: str = ""
    position: int | None = None  # None: after the last lesson


@dataclass
class ChoiceData:
    text: str
    correct: bool = False


@dataclass
class QuestionData:
    prompt: str
    kind: str = QuestionKind.SINGLE
    explanation: str = ""
    choices: list[ChoiceData] = field(default_factory=list)
    lesson_id: int | None = None
    position: int | None = None  # None: after the last question


# --- Helpers


def _text(value: str, *, name: str, errors: dict[str, list[str]], max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append(_("Required."))
    elif len(value) > max_length:
        errors.setdefault(name, []).append(_("At most %(max)d characters.") % {"max": max_length})
    return value


def _raise(errors: dict[str, list[str]], message: str) -> None:
    if errors:
        raise DomainError(message, field_errors=errors)


def _same_org(actor: Membership, obj: Course | Lesson | Question) -> None:
    if obj.organization_id != actor.organization_id:
        raise NotFound(_("Not found."))


def _clean_course(actor: Membership, data: CourseData, course: Course | None) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = _text(data.title, name="title", errors=errors, max_length=MAX_TITLE)
    if data.language not in LANGUAGES:
        errors["language"] = [_("Choose French or English.")]
    if data.required_for not in RequiredFor.values:
        errors["required_for"] = [_("Unknown requirement.")]
    score = data.passing_score
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 100:
        errors["passing_score"] = [_("Enter a percentage from 1 to 100.")]
    if len(data.summary or "") > MAX_TEXT:
        errors["summary"] = [_("At most %(max)d characters.") % {"max": MAX_TEXT}]
    original = None
    if data.translation_of_id is not None:
        original = scoped(Course, actor.organization_id).filter(pk=data.translation_of_id).first()
        message = None
        if original is None:
            message = _("Unknown course.")
        elif course is not None and original.pk == course.pk:
            message = _("A course cannot be its own translation.")
        elif original.translation_of_id is not None:
            message = _("Choose the original course, not one of its translations.")
        elif course is not None and course.translations.exists():
            message = _("This course has translations of its own: it cannot be a translation.")
        elif original.language == data.language:
            message = _("A translation is in another language than the original.")
        else:
            siblings = original.translations.filter(language=data.language)
            if course is not None:
                siblings = siblings.exclude(pk=course.pk)
            if siblings.exists():
                message = _("This course already has a translation in this language.")
        if message:
            errors["translation_of_id"] = [message]
    _raise(errors, _("The course has errors."))
    return {
        "title": title,
        "language": data.language,
        "summary": (data.summary or "").strip(),
        "required_for": data.required_for,
        "passing_score": score,
        "translation_of": original,
    }


# --- Courses


@transaction.atomic
def course_create(*, actor: Membership, data: CourseData) -> Course:
    require(actor, "training.manage")
    values = _clean_course(actor, data, None)
    return Course.objects.create(organization_id=actor.organization_id, created_by=actor, **values)


@transaction.atomic
def course_update(*, actor: Membership, course: Course, data: CourseData) -> Course:
    require(actor, "training.manage", course)
    _same_org(actor, course)
    values = _clean_course(actor, data, course)
    for name, value in values.items():
        setattr(course, name, value)
    course.save(update_fields=[*values, "updated_at"])
    return course


def _publishable_errors(course: Course) -> list[str]:
    problems = []
    if not course.lessons.exists():
        problems.append(_("Add at least one lesson."))
    if not course.questions.exists():
        problems.append(_("Add at least one quiz question."))
    return problems


@transaction.atomic
def course_publish(*, actor: Membership, course: Course) -> Course:
    """Members see the course, may take it, and its requirement applies."""
    require(actor, "training.manage", course)
    _same_org(actor, course)
    problems = _publishable_errors(course)
    if problems:
        raise Conflict(" ".join(problems), field_errors={"__all__": problems})
    if not course.published:
        course.published = True
        course.published_at = clock.now()
        course.save(update_fields=["published", "published_at", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, actor: Membership, course: Course) -> Course:
    """Back to draft: hidden from members, its requirement no longer applies. Progress,
    attempts and certificates are kept."""
    require(actor, "training.manage", course)
    _same_org(actor, course)
    if course.published:
        course.published = False
        course.save(update_fields=["published", "updated_at"])
    return course


# --- Lessons


def _next_position(qs: object) -> int:
    top = qs.aggregate(top=Max("position"))["top"]  # type: ignore[attr-defined]
    return int(top or 0) + 1


def _position(value: int | None, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        errors["position"] = [_("Enter a number from 1 to 1000.")]
        return None
    return value


def _clean_lesson(data: LessonData) -> tuple[str, str, int | None]:
    errors: dict[str, list[str]] = {}
    title = _text(data.title, name="title", errors=errors, max_length=MAX_TITLE)
    body = data.body or ""
    if len(body) > MAX_TEXT:
        errors["body"] = [_("At most %(max)d characters.") % {"max": MAX_TEXT}]
    position = _position(data.position, errors)
    _raise(errors, _("The lesson has errors."))
    return title, body, position


@transaction.atomic
def lesson_create(*, actor: Membership, course: Course, data: LessonData) -> Lesson:
    require(actor, "training.manage", course)
    _same_org(actor, course)
    title, body, position = _clean_lesson(data)
    return Lesson.objects.create(
        organization_id=course.organization_id,
        course=course,
        title=title,
        body=body,
        body_html=render_markdown(body, images=True),
        position=position or _next_position(course.lessons.all()),
    )


@transaction.atomic
def lesson_update(*, actor: Membership, lesson: Lesson, data: LessonData) -> Lesson:
    require(actor, "training.manage", lesson)
    _same_org(actor, lesson)
    title, body, position = _clean_lesson(data)
    lesson.title = title
    lesson.body = body
    lesson.body_html = render_markdown(body, images=True)
    if position is not None:
        lesson.position = position
    lesson.save(update_fields=["title", "body", "body_html", "position"])
    return lesson


@transaction.atomic
def lesson_delete(*, actor: Membership, lesson: Lesson) -> None:
    require(actor, "training.manage", lesson)
    _same_org(actor, lesson)
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    if course.published and course.lessons.count() <= 1:
        raise Conflict(_("A published course keeps at least one lesson."))
    lesson.delete()


# --- Questions


@dataclass
class _CleanQuestion:
    prompt: str
    kind: str
    explanation: str
    lesson: Lesson | None
    position: int | None
    choices: list[ChoiceData]


def _clean_question(course: Course, data: QuestionData) -> _CleanQuestion:
    errors: dict[str, list[str]] = {}
    prompt = _text(data.prompt, name="prompt", errors=errors, max_length=MAX_TEXT)
    if data.kind not in QuestionKind.values:
        errors["kind"] = [_("Choose single or multiple choice.")]
    explanation = (data.explanation or "").strip()
    if len(explanation) > MAX_TEXT:
        errors["explanation"] = [_("At most %(max)d characters.") % {"max": MAX_TEXT}]
    lesson = None
    if data.lesson_id is not None:
        lesson = course.lessons.filter(pk=data.lesson_id).first()
        if lesson is None:
            errors["lesson_id"] = [_("Choose a lesson of this course.")]
    choices: list[ChoiceData] = []
    for index, choice in enumerate(data.choices):
        text = (choice.text or "").strip()
        if not text:
            continue
        if len(text) > MAX_CHOICE:
            errors.setdefault(f"choices.{index}.text", []).append(
                _("At most %(max)d characters.") % {"max": MAX_CHOICE}
            )
        choices.append(ChoiceData(text=text, correct=bool(choice.correct)))
    correct = sum(1 for c in choices if c.correct)
    if len(choices) < MIN_CHOICES:
        errors.setdefault("choices", []).append(_("Give at least two answers."))
    elif len(choices) > MAX_CHOICES:
        errors.setdefault("choices", []).append(
            _("At most %(max)d answers.") % {"max": MAX_CHOICES}
        )
    elif data.kind == QuestionKind.SINGLE and correct != 1:
        errors.setdefault("choices", []).append(
            _("A single-choice question has exactly one correct answer.")
        )
    elif data.kind == QuestionKind.MULTIPLE and correct < 1:
        errors.setdefault("choices", []).append(_("Mark at least one answer as correct."))
    position = _position(data.position, errors)
    _raise(errors, _("The question has errors."))
    return _CleanQuestion(prompt, data.kind, explanation, lesson, position, choices)


def _replace_choices(question: Question, choices: list[ChoiceData]) -> None:
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=index, text=c.text, correct=c.correct)
        for index, c in enumerate(choices, start=1)
    )


@transaction.atomic
def question_create(*, actor: Membership, course: Course, data: QuestionData) -> Question:
    require(actor, "training.manage", course)
    _same_org(actor, course)
    values = _clean_question(course, data)
    question = Question.objects.create(
        organization_id=course.organization_id,
        course=course,
        prompt=values.prompt,
        kind=values.kind,
        explanation=values.explanation,
        lesson=values.lesson,
        position=values.position or _next_position(course.questions.all()),
    )
    _replace_choices(question, values.choices)
    return question


@transaction.atomic
def question_update(*, actor: Membership, question: Question, data: QuestionData) -> Question:
    """Replace the question and its answers. Past attempts keep their recorded score."""
    require(actor, "training.manage", question)
    _same_org(actor, question)
    values = _clean_question(question.course, data)
    question.prompt = values.prompt
    question.kind = values.kind
    question.explanation = values.explanation
    question.lesson = values.lesson
    if values.position is not None:
        question.position = values.position
    question.save(update_fields=["prompt", "kind", "explanation", "lesson", "position"])
    _replace_choices(question, values.choices)
    return question


@transaction.atomic
def question_delete(*, actor: Membership, question: Question) -> None:
    require(actor, "training.manage", question)
    _same_org(actor, question)
    course = Course.objects.select_for_update().get(pk=question.course_id)
    if course.published and course.questions.count() <= 1:
        raise Conflict(_("A published course keeps at least one question."))
    question.delete()
