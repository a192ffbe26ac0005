"""Every read of surveys."""

from .results import Results, enps, export_rows, neutralize, results
from .surveys import (
    audience_member_ids,
    has_answered,
    is_past,
    launched_survey,
    managed_survey,
    managed_surveys,
    open_count,
    open_surveys,
    participation_count,
    pending_member_ids,
    survey_to_answer,
    teams,
)

__all__ = [
    "Results",
    "audience_member_ids",
    "enps",
    "export_rows",
    "has_answered",
    "is_past",
    "launched_survey",
    "managed_survey",
    "managed_surveys",
    "neutralize",
    "open_count",
    "open_surveys",
    "participation_count",
    "pending_member_ids",
    "results",
    "survey_to_answer",
    "teams",
]
