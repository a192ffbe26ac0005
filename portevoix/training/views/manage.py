"""Course authoring, for administrators and content managers (`training.manage`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import CourseForm, LessonForm, QuestionForm
from ..models import Course
from .common import confirm_page

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def manage_index(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "training/manage.html",
        {"courses": selectors.courses_to_manage(membership=membership)},
    )


@member_view
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "training.manage")
    originals = selectors.originals_for_translation(membership=membership, exclude=None)
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        originals=originals,
        initial={"language": membership.organization.default_language, "passing_score": 80},
    )
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=membership, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Course created. Add its lessons and questions."))
            return redirect("training:manage_course", pk=course.pk)
    return render(
        request,
        "training/course_form.html",
        {"form": form, "course": None},
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    originals = selectors.originals_for_translation(membership=membership, exclude=course)
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        originals=originals,
        initial=CourseForm.initial_for(course),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=membership, course=course, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
            course.refresh_from_db()
        else:
            messages.success(request, _("Course saved."))
            return redirect("training:manage_course", pk=course.pk)
    return render(
        request,
        "training/course_form.html",
        {
            "form": form,
            "course": course,
            "lessons": selectors.lessons(course=course),
            "questions": selectors.quiz_questions(course=course),
        },
        status=400 if form.errors else 200,
    )


@member_view
@require_POST
def course_publish(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    try:
        services.course_publish(actor=membership, course=course)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Course published."))
    return redirect("training:manage_course", pk=course.pk)


@member_view
@require_POST
def course_unpublish(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    services.course_unpublish(actor=membership, course=course)
    messages.success(request, _("Course back to draft: members no longer see it."))
    return redirect("training:manage_course", pk=course.pk)


# --- Lessons


def _lesson_page(
    request: HttpRequest, course: Course, form: LessonForm, lesson: object = None
) -> HttpResponse:
    return render(
        request,
        "training/lesson_form.html",
        {"course": course, "form": form, "lesson": lesson},
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def lesson_new(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    form = LessonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_create(actor=membership, course=course, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Lesson added."))
            return redirect("training:manage_course", pk=course.pk)
    return _lesson_page(request, course, form)


@member_view
@require_http_methods(["GET", "POST"])
def lesson_edit(
    request: HttpRequest, membership: Membership, pk: int, lesson_pk: int
) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    lesson = selectors.lesson_of(course=course, pk=lesson_pk)
    form = LessonForm(
        request.POST if request.method == "POST" else None, initial=LessonForm.initial_for(lesson)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_update(actor=membership, lesson=lesson, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect("training:manage_course", pk=course.pk)
    return _lesson_page(request, course, form, lesson)


@member_view
@require_http_methods(["GET", "POST"])
def lesson_delete(
    request: HttpRequest, membership: Membership, pk: int, lesson_pk: int
) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    lesson = selectors.lesson_of(course=course, pk=lesson_pk)
    back = reverse("training:manage_course", args=[course.pk])
    if request.method == "POST":
        try:
            services.lesson_delete(actor=membership, lesson=lesson)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Lesson deleted."))
        return redirect(back)
    return confirm_page(
        request,
        title=_("Delete a lesson"),
        question=_("Delete the lesson “%(title)s”?") % {"title": lesson.title},
        detail=_("Who read it keeps the rest of their progress."),
        action_label=_("Delete the lesson"),
        cancel_url=back,
    )


# --- Questions


def _question_page(
    request: HttpRequest, course: Course, form: QuestionForm, question: object = None
) -> HttpResponse:
    return render(
        request,
        "training/question_form.html",
        {"course": course, "form": form, "question": question},
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        lessons=selectors.lessons(course=course),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_create(actor=membership, course=course, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Question added."))
            return redirect("training:manage_course", pk=course.pk)
    return _question_page(request, course, form)


@member_view
@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, membership: Membership, pk: int, question_pk: int
) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    question = selectors.question_to_manage(course=course, pk=question_pk)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        lessons=selectors.lessons(course=course),
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=membership, question=question, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Question saved."))
            return redirect("training:manage_course", pk=course.pk)
    return _question_page(request, course, form, question)


@member_view
@require_http_methods(["GET", "POST"])
def question_delete(
    request: HttpRequest, membership: Membership, pk: int, question_pk: int
) -> HttpResponse:
    course = selectors.course_to_manage(membership=membership, pk=pk)
    question = selectors.question_to_manage(course=course, pk=question_pk)
    back = reverse("training:manage_course", args=[course.pk])
    if request.method == "POST":
        try:
            services.question_delete(actor=membership, question=question)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Question deleted."))
        return redirect(back)
    return confirm_page(
        request,
        title=_("Delete a question"),
        question=_("Delete the question “%(prompt)s”?") % {"prompt": question.prompt[:120]},
        detail=_("Past attempts keep their score."),
        action_label=_("Delete the question"),
        cancel_url=back,
    )
