"""Every write of recognition: the ledger, the rules, the visibility choices."""

from .awards import (
    on_attendance_marked,
    on_clicks_counted,
    on_conversion_recorded,
    on_course_passed,
    on_engagement_changed,
    on_share_posted,
    on_share_removed,
    on_survey_answered,
)
from .ledger import Award, points_award, points_reverse, points_reverse_source
from .preferences import default_visibility_set, preference_set
from .recount import points_recount
from .rules import DEFAULT_RULES, RuleData, rule_at, rule_set, rules_ensure_defaults, rules_update

__all__ = [
    "DEFAULT_RULES",
    "Award",
    "RuleData",
    "default_visibility_set",
    "on_attendance_marked",
    "on_clicks_counted",
    "on_conversion_recorded",
    "on_course_passed",
    "on_engagement_changed",
    "on_share_posted",
    "on_share_removed",
    "on_survey_answered",
    "points_award",
    "points_recount",
    "points_reverse",
    "points_reverse_source",
    "preference_set",
    "rule_at",
    "rule_set",
    "rules_ensure_defaults",
    "rules_update",
]
