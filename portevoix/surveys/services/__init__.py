"""Every write of surveys."""

from .answering import FLUSH_AT, MIN_GROUP, survey_answer, survey_close, team_labels
from .authoring import (
    QuestionData,
    SurveyData,
    enps_preset,
    survey_create,
    survey_launch,
    survey_update,
)
from .schedule import reminder_due_at, surveys_close_due, surveys_remind, surveys_tick

__all__ = [
    "FLUSH_AT",
    "MIN_GROUP",
    "QuestionData",
    "SurveyData",
    "enps_preset",
    "reminder_due_at",
    "survey_answer",
    "survey_close",
    "survey_create",
    "survey_launch",
    "survey_update",
    "surveys_close_due",
    "surveys_remind",
    "surveys_tick",
    "team_labels",
]
