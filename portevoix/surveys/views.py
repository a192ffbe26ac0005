"""Survey pages: my open surveys, the answer form and its thanks; the administrators' list,
editor, launch, close, results and export. Views parse, authorize, call, render."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import QuestionForm, SurveyForm, answer_form, question_forms
from .models import Kind, State

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def mine(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "survey.answer")
    context = {
        "surveys": selectors.open_surveys(membership=membership),
        "can_manage": can(membership, "survey.manage"),
    }
    return render(request, "surveys/mine.html", context)


def _answers(form: Any, survey: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for question in survey.questions.all():
        name = f"q{question.pk}"
        if question.kind == Kind.MULTIPLE:
            found[question.pk] = form.data.getlist(name)
        else:
            found[question.pk] = form.data.get(name, "")
    return found


@member_view
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    survey = selectors.survey_to_answer(membership=membership, pk=pk)
    answered = selectors.has_answered(membership=membership, survey=survey)
    questions = list(survey.questions.all())
    status = 200
    if request.method == "POST" and not answered:
        form = answer_form(questions, request.POST)
        try:
            services.survey_answer(
                membership=membership, survey_id=survey.pk, answers=_answers(form, survey)
            )
        except Conflict:
            answered = True
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            return redirect("surveys:thanks", pk=survey.pk)
    else:
        form = answer_form(questions)
    context = {
        "survey": survey,
        "form": form,
        "fields": [(q, form[f"q{q.pk}"]) for q in questions],
        "answered": answered,
        "is_open": survey.state == State.OPEN and not selectors.is_past(survey),
    }
    return render(request, "surveys/answer.html", context, status=status)


@member_view
@require_http_methods(["GET"])
def thanks(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    survey = selectors.survey_to_answer(membership=membership, pk=pk)
    return render(request, "surveys/thanks.html", {"survey": survey})


@member_view
@require_http_methods(["GET"])
def manage(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "surveys/manage.html",
        {"surveys": selectors.managed_surveys(membership=membership)},
    )


def _data(form: SurveyForm, rows: list[QuestionForm], enps: bool) -> services.SurveyData:
    questions = [services.enps_preset()] if enps else []
    for row in rows:
        if row.is_blank():
            continue
        questions.append(
            services.QuestionData(
                kind=row.cleaned_data["kind"],
                text=row.cleaned_data["text"],
                choices=(row.cleaned_data["choices"] or "").splitlines(),
                required=row.cleaned_data["required"],
            )
        )
    return services.SurveyData(
        title=form.cleaned_data["title"],
        intro=form.cleaned_data["intro"],
        anonymous=form.cleaned_data["anonymous"],
        team_id=form.cleaned_data["team"],
        deadline=form.cleaned_data["deadline"],
        questions=questions,
    )


def _question_field(key: str) -> str | None:
    return None if key.startswith("questions") else key


def _editor(request: HttpRequest, membership: Membership, survey: Any) -> HttpResponse:
    teams = selectors.teams(membership=membership)
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST, teams=teams)
        rows = question_forms(request.POST)
        enps = survey is None and request.POST.get("add_enps") == "on"
        if form.is_valid() and all(row.is_valid() for row in rows):
            data = _data(form, rows, enps)
            try:
                if survey is None:
                    saved = services.survey_create(actor=membership, data=data)
                else:
                    saved = services.survey_update(actor=membership, survey_id=survey.pk, data=data)
            except DomainError as exc:
                _question_errors(rows, exc, offset=1 if enps else 0)
                apply_domain_error(form, exc, field_map=_question_field)
            else:
                messages.success(request, _("The survey is saved."))
                return redirect("surveys:edit", pk=saved.pk)
        status = 400
    elif survey is None:
        form = SurveyForm(teams=teams, initial={"anonymous": True})
        rows = question_forms()
    else:
        form = SurveyForm(
            teams=teams,
            initial={
                "title": survey.title,
                "intro": survey.intro,
                "anonymous": survey.anonymous,
                "team": survey.team_id or "",
                "deadline": survey.deadline,
            },
        )
        rows = question_forms(questions=list(survey.questions.all()))
    context = {"survey": survey, "form": form, "rows": rows}
    return render(request, "surveys/edit.html", context, status=status)


def _question_errors(rows: list[QuestionForm], exc: DomainError, offset: int) -> None:
    """`questions.<n>.<field>` errors onto the n-th non-blank row (after the preset)."""
    filled = [row for row in rows if not row.is_blank()]
    for key, errors in (exc.field_errors or {}).items():
        parts = key.split(".")
        if parts[0] != "questions" or len(parts) != 3 or not parts[1].isdigit():
            continue
        index = int(parts[1]) - offset
        if 0 <= index < len(filled):
            for error in errors:
                filled[index].add_error(
                    parts[2] if parts[2] in filled[index].fields else None, error
                )


@member_view
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "survey.manage")
    return _editor(request, membership, None)


@member_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    survey = selectors.managed_survey(membership=membership, pk=pk)
    if survey.state != State.DRAFT:
        return redirect("surveys:results", pk=survey.pk)
    return _editor(request, membership, survey)


@member_view
def launch(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    survey = selectors.managed_survey(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        services.survey_launch(actor=membership, survey_id=survey.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:edit", pk=survey.pk)
    messages.success(request, _("The survey is open: its audience is told."))
    return redirect("surveys:results", pk=survey.pk)


@member_view
def close(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    survey = selectors.managed_survey(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        services.survey_close(actor=membership, survey_id=survey.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("surveys:results", pk=survey.pk)


@member_view
@require_http_methods(["GET"])
def results(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    found = selectors.results(membership=membership, pk=pk)
    context = {"results": found, "survey": found.survey, "min_group": services.MIN_GROUP}
    return render(request, "surveys/results.html", context)


@member_view
@require_http_methods(["GET"])
def export(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The answers as CSV (XLSX is not offered: openpyxl is not installed)."""
    rows = selectors.export_rows(membership=membership, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{pk}.csv"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(row)
    return response
