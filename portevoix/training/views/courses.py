"""Courses as members take them: the list, a course, its lessons, its quiz."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can
from portevoix.core.errors import DomainError
from portevoix.core.web import member_view

from .. import selectors, services
from ..forms import QuizForm
from ..models import Choice, Course, Question

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def index(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.courses_for_member(membership=membership)
    return render(
        request,
        "training/index.html",
        {
            "rows": rows,
            "certificates": selectors.my_certificates(membership=membership)[:50],
            "missing_share": selectors.missing_required_courses(
                membership=membership, purpose="share"
            ),
            "can_manage": can(membership, "training.manage"),
            "can_report": can(membership, "training.view_reports"),
        },
    )


def _course_context(membership: Membership, course: Course) -> dict[str, object]:
    lessons = selectors.lessons(course=course)
    done = selectors.completed_lesson_ids(membership=membership, course=course)
    return {
        "course": course,
        "lessons": lessons,
        "done": done,
        "status": selectors.course_status(membership=membership, course=course),
        "translations": selectors.translations_of(course=course),
        "can_manage": can(membership, "training.manage", course),
    }


@member_view
@require_http_methods(["GET"])
def course_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_for_member(membership=membership, pk=pk)
    return render(request, "training/course.html", _course_context(membership, course))


@member_view
@require_http_methods(["GET", "POST"])
def lesson_detail(
    request: HttpRequest, membership: Membership, pk: int, lesson_pk: int
) -> HttpResponse:
    course = selectors.course_for_member(membership=membership, pk=pk)
    lesson = selectors.lesson_of(course=course, pk=lesson_pk)
    lessons = selectors.lessons(course=course)
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    if request.method == "POST":
        try:
            services.lesson_complete(membership=membership, lesson=lesson)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("training:lesson", pk=course.pk, lesson_pk=lesson.pk)
        if following is not None:
            return redirect("training:lesson", pk=course.pk, lesson_pk=following.pk)
        messages.success(request, _("Every lesson is read: on to the quiz."))
        return redirect("training:quiz", pk=course.pk)
    done = selectors.completed_lesson_ids(membership=membership, course=course)
    return render(
        request,
        "training/lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "lessons": lessons,
            "number": index + 1,
            "previous": lessons[index - 1] if index > 0 else None,
            "following": following,
            "is_done": lesson.pk in done,
            "done": done,
        },
    )


@dataclass
class ChoiceResult:
    choice: Choice
    chosen: bool


@dataclass
class QuestionResult:
    number: int
    question: Question
    correct: bool
    choices: list[ChoiceResult]


@member_view
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_for_member(membership=membership, pk=pk)
    questions = selectors.quiz_questions(course=course)
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            answers = [
                services.AnswerData(question_id=qid, choice_ids=ids) for qid, ids in form.answers()
            ]
            try:
                result = services.quiz_submit(membership=membership, course=course, answers=answers)
            except DomainError as exc:
                form.add_error(None, exc.message)
                for messages_list in exc.field_errors.values():
                    for message in messages_list:
                        form.add_error(None, message)
                status = 409 if exc.status == 409 else 400
            else:
                by_id = {r.question_id: r for r in result.score.results}
                rows = [
                    QuestionResult(
                        number=n,
                        question=q,
                        correct=by_id[q.pk].correct,
                        choices=[
                            ChoiceResult(c, c.pk in by_id[q.pk].chosen)
                            for c in selectors.choices_of(q)
                        ],
                    )
                    for n, q in enumerate(result.questions, start=1)
                ]
                return render(
                    request,
                    "training/quiz_result.html",
                    {"course": course, "result": result, "rows": rows},
                )
        else:
            status = 400
    return render(
        request,
        "training/quiz.html",
        {
            "course": course,
            "form": form,
            "status": selectors.course_status(membership=membership, course=course),
            "last": selectors.last_attempt(membership=membership, course=course),
        },
        status=status,
    )
