"""Every write of recognition: the ledger, the rules, the visibility choices."""

from .awards import (
    on_attendance_marked,
    on_clicks_counted,
    on_conversion_recorded,
    on_course_passed,
    on_engagement_changed,
    on_idea_accepted,
    on_share_posted,
    on_share_removed,
    on_survey_answered,
)
from .badges import (
    badge_create,
    badge_set_active,
    badges_check,
    badges_check_entry,
    badges_ensure_defaults,
    month_close,
    months_close_due,
    on_session_coached,
)
from .batch import points_award_many
from .challenges import (
    ChallengeData,
    challenge_create,
    challenge_pay_bonuses,
    challenge_pay_bonuses_by_id,
)
from .fairplay import (
    Thresholds,
    fairplay_settings,
    fairplay_settings_set,
    fairplay_share_posted,
    flag_confirm,
    flag_dismiss,
    on_post_deleted,
)
from .ledger import Award, points_award, points_reverse, points_reverse_source
from .listing import listing_check, listing_refresh
from .pending import awards_defer, pending_awards_drain, pending_forget_source
from .preferences import default_visibility_set, preference_set
from .recount import points_recount
from .rules import DEFAULT_RULES, RuleData, rule_at, rule_set, rules_ensure_defaults, rules_update
from .spend import HOLD_RULE, points_hold, points_release, spendable_locked
from .totals import histogram_compact

__all__ = [
    "DEFAULT_RULES",
    "HOLD_RULE",
    "Award",
    "ChallengeData",
    "RuleData",
    "Thresholds",
    "awards_defer",
    "badge_create",
    "badge_set_active",
    "badges_check",
    "badges_check_entry",
    "badges_ensure_defaults",
    "challenge_create",
    "challenge_pay_bonuses",
    "challenge_pay_bonuses_by_id",
    "default_visibility_set",
    "fairplay_settings",
    "fairplay_settings_set",
    "fairplay_share_posted",
    "flag_confirm",
    "flag_dismiss",
    "histogram_compact",
    "listing_check",
    "listing_refresh",
    "month_close",
    "months_close_due",
    "on_attendance_marked",
    "on_clicks_counted",
    "on_conversion_recorded",
    "on_course_passed",
    "on_engagement_changed",
    "on_idea_accepted",
    "on_post_deleted",
    "on_session_coached",
    "on_share_posted",
    "on_share_removed",
    "on_survey_answered",
    "pending_awards_drain",
    "pending_forget_source",
    "points_award",
    "points_award_many",
    "points_hold",
    "points_recount",
    "points_release",
    "points_reverse",
    "points_reverse_source",
    "preference_set",
    "rule_at",
    "rule_set",
    "rules_ensure_defaults",
    "rules_update",
    "spendable_locked",
]
