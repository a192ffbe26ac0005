"""API router of program surveys (the `surveys` area): what /surveys/ offers to a member
(the open surveys they may answer, one survey's questions, answer it once) and to those
who run them (`survey.manage`: launch, close). The same selectors and services as the
pages: an anonymous survey's answers keep no link to the person, whatever the client; a
survey outside the caller's audience, or of another organization, is a 404. Writing a
survey stays on its page for now (config/api_coverage.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import DbId, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import Kind, State, Survey

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["surveys"])

KIND_ENUM: JsonDict = {"enum": list(Kind.values)}
STATE_ENUM: JsonDict = {"enum": list(State.values)}
MAX_ANSWER = 5000


class SurveySummaryOut(Schema):
    id: int
    title: str
    anonymous: bool = Field(..., description="Answers keep no link to who gave them")
    deadline: dt.datetime


class SurveyQuestionOut(Schema):
    id: int
    position: int
    kind: str = Field(..., json_schema_extra=KIND_ENUM)
    text: str
    choices: list[str] = Field(..., description="For single and multiple choice")
    required: bool


class SurveyOut(SurveySummaryOut):
    intro: str
    state: str = Field(..., json_schema_extra=STATE_ENUM)
    answered: bool = Field(..., description="The caller already answered")
    questions: list[SurveyQuestionOut]


# One answer: a number for scales and eNPS, an option for single choice, options for
# multiple choice, a text for free text.
SurveyAnswerValue = (
    int
    | Annotated[Text, Field(max_length=MAX_ANSWER)]
    | list[Annotated[Text, Field(max_length=500)]]
)


class SurveyAnswersIn(Schema):
    answers: dict[str, SurveyAnswerValue] = Field(
        ..., max_length=200, description="Question id -> the answer"
    )


class SurveyStateOut(Schema):
    id: int
    state: str = Field(..., json_schema_extra=STATE_ENUM)
    launched_at: dt.datetime | None
    closed_at: dt.datetime | None


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _state_out(survey: Survey) -> SurveyStateOut:
    return SurveyStateOut(
        id=survey.pk,
        state=survey.state,
        launched_at=survey.launched_at,
        closed_at=survey.closed_at,
    )


@router.get("/surveys", response=responses({200: list[SurveySummaryOut]}))
def survey_list(request: HttpRequest) -> list[SurveySummaryOut]:
    """The open surveys the caller may still answer, soonest deadline first."""
    return [
        SurveySummaryOut(id=s.pk, title=s.title, anonymous=s.anonymous, deadline=s.deadline)
        for s in selectors.open_surveys(membership=_membership(request))
    ]


@router.get("/surveys/{survey_id}", response=responses({200: SurveyOut}))
def survey_detail(request: HttpRequest, survey_id: DbId) -> SurveyOut:
    membership = _membership(request)
    survey = selectors.survey_to_answer(membership=membership, pk=survey_id)
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        anonymous=survey.anonymous,
        deadline=survey.deadline,
        intro=survey.intro,
        state=survey.state,
        answered=selectors.has_answered(membership=membership, survey=survey),
        questions=[
            SurveyQuestionOut(
                id=q.pk,
                position=q.position,
                kind=q.kind,
                text=q.text,
                choices=list(q.choices or []),
                required=q.required,
            )
            for q in survey.questions.all()
        ],
    )


@router.post("/surveys/{survey_id}/answers", response=responses({204: None}))
def survey_answer(request: HttpRequest, survey_id: DbId, payload: SurveyAnswersIn) -> Status[None]:
    """Answer once, before the deadline (409 the second time). Errors are keyed `q<id>`,
    as on the page. Nothing is answered back: an anonymous answer has no id."""
    membership = _membership(request)
    selectors.survey_to_answer(membership=membership, pk=survey_id)  # not in the audience: 404
    answers: dict[int, object] = {}
    for key, value in payload.answers.items():
        if key.isascii() and key.isdigit() and len(key) < 19:
            answers[int(key)] = value if not isinstance(value, int) else str(value)
    services.survey_answer(membership=membership, survey_id=survey_id, answers=answers)
    return Status(204, None)


@router.post("/surveys/{survey_id}/launch", response=responses({200: SurveyStateOut}))
def survey_launch(request: HttpRequest, survey_id: DbId) -> SurveyStateOut:
    """Open the survey (`survey.manage`): its audience is told."""
    membership = _membership(request)
    survey = selectors.managed_survey(membership=membership, pk=survey_id)
    return _state_out(services.survey_launch(actor=membership, survey_id=survey.pk))


@router.post("/surveys/{survey_id}/close", response=responses({200: SurveyStateOut}))
def survey_close(request: HttpRequest, survey_id: DbId) -> SurveyStateOut:
    """Close it before its deadline (`survey.manage`)."""
    membership = _membership(request)
    survey = selectors.managed_survey(membership=membership, pk=survey_id)
    return _state_out(services.survey_close(actor=membership, survey_id=survey.pk))
