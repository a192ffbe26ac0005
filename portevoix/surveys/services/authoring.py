"""Writing a survey, launching it, closing it (administrators, `survey.manage`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped, scoped

from .. import signals
from ..models import Kind, Question, State, Survey
from ..selectors import nav

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_QUESTIONS = 20
MAX_CHOICES = 12


@dataclass(frozen=True)
class QuestionData:
    kind: str
    text: str
    choices: list[str] = field(default_factory=list)
    required: bool = True


@dataclass(frozen=True)
class SurveyData:
    title: str
    deadline: dt.datetime
    intro: str = ""
    anonymous: bool = True
    team_id: int | None = None
    questions: list[QuestionData] = field(default_factory=list)


def enps_preset() -> QuestionData:
    """The eNPS question as offered to administrators."""
    return QuestionData(
        kind=Kind.ENPS,
        text=_("How likely are you to recommend working here, and our program, to a friend?"),
    )


def _validate(organization_id: int, data: SurveyData, *, now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the survey a title.")]
    if data.deadline <= now:
        errors["deadline"] = [_("The deadline must be in the future.")]
    if data.team_id is not None and not account_selectors.team_exists(
        organization_id=organization_id, team_id=data.team_id
    ):
        errors["team"] = [_("Choose one of your teams.")]
    if len(data.questions) > MAX_QUESTIONS:
        errors["questions"] = [_("At most %(count)s questions.") % {"count": MAX_QUESTIONS}]
    for index, question in enumerate(data.questions):
        key = f"questions.{index}"
        if question.kind not in Kind.values:
            errors[f"{key}.kind"] = [_("Choose a kind of question.")]
        if not question.text.strip():
            errors[f"{key}.text"] = [_("Write the question.")]
        if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
            options = [c for c in question.choices if c.strip()]
            if not 2 <= len(options) <= MAX_CHOICES:
                errors[f"{key}.choices"] = [
                    _("Give between 2 and %(count)s options, one a line.") % {"count": MAX_CHOICES}
                ]
    if errors:
        raise DomainError(_("Please correct the survey."), field_errors=errors)


def _write_questions(survey: Survey, questions: list[QuestionData]) -> None:
    Question.objects.filter(survey=survey).delete()
    Question.objects.bulk_create(
        Question(
            organization_id=survey.organization_id,
            survey=survey,
            position=index,
            kind=q.kind,
            text=q.text.strip()[:300],
            choices=(
                [c.strip()[:120] for c in q.choices if c.strip()]
                if q.kind in (Kind.SINGLE, Kind.MULTIPLE)
                else []
            ),
            required=q.required,
        )
        for index, q in enumerate(questions)
    )


@transaction.atomic
def survey_create(*, actor: Membership, data: SurveyData) -> Survey:
    require(actor, "survey.manage")
    organization_id = actor.organization_id
    now = clock.now()
    _validate(organization_id, data, now=now)
    survey = Survey.objects.create(
        organization_id=organization_id,
        title=data.title.strip()[:200],
        intro=data.intro.strip(),
        anonymous=data.anonymous,
        team_id=data.team_id,
        deadline=data.deadline,
        created_by=actor,
        created_at=now,
    )
    _write_questions(survey, data.questions)
    return survey


@transaction.atomic
def survey_update(*, actor: Membership, survey_id: int, data: SurveyData) -> Survey:
    """A draft only: once launched, the questions and the anonymity promise are fixed."""
    require(actor, "survey.manage")
    organization_id = actor.organization_id
    survey = get_scoped(Survey.objects.select_for_update(), organization_id, pk=survey_id)
    if survey.state != State.DRAFT:
        raise DomainError(_("A launched survey cannot be changed."))
    _validate(organization_id, data, now=clock.now())
    survey.title = data.title.strip()[:200]
    survey.intro = data.intro.strip()
    survey.anonymous = data.anonymous
    survey.team_id = data.team_id
    survey.deadline = data.deadline
    survey.save(update_fields=["title", "intro", "anonymous", "team", "deadline"])
    _write_questions(survey, data.questions)
    return survey


@transaction.atomic
def survey_launch(*, actor: Membership, survey_id: int) -> Survey:
    """Open the survey to its audience, who are told once it is committed."""
    require(actor, "survey.manage")
    organization_id = actor.organization_id
    survey = get_scoped(Survey.objects.select_for_update(), organization_id, pk=survey_id)
    if survey.state != State.DRAFT:
        raise DomainError(_("This survey was already launched."))
    now = clock.now()
    if survey.deadline <= now:
        raise DomainError(
            _("The deadline is past: change it first."), field_errors={"deadline": []}
        )
    if not scoped(Question, organization_id).filter(survey=survey).exists():
        raise DomainError(_("Add at least one question first."))
    survey.state = State.OPEN
    survey.launched_at = now
    survey.save(update_fields=["state", "launched_at"])
    transaction.on_commit(lambda: nav.remember_open(organization_id))
    transaction.on_commit(
        lambda: signals.survey_launched.send(
            sender=Survey, organization_id=organization_id, survey_id=survey.pk
        )
    )
    return survey
