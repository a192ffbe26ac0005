"""Analytics' actions and objects in words, for the audit log (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels

ACTIONS = {
    "analytics.goal_set": _("Goal set: %(object)s"),
    "analytics.goal_changed": _("Goal changed: %(object)s"),
    "analytics.goal_archived": _("Goal archived: %(object)s"),
    "analytics.settings": _("KPI settings changed (%(object)s)"),
    "analytics.report_schedule_changed": _("Report sending changed: %(object)s"),
}


def _describe_goals(organization_id: int, ids: list[str]) -> dict[str, str]:
    from .selectors.goals import goal_names

    return goal_names(organization_id=organization_id, goal_ids=ids)


def _describe_schedules(organization_id: int, ids: list[str]) -> dict[str, str]:
    from .selectors.reports import schedule_names

    return schedule_names(organization_id=organization_id, schedule_ids=ids)


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type("analytics.goal", _("goal"), _describe_goals)
    audit_labels.register_object_type("analytics.settings", _("KPI settings"))
    audit_labels.register_object_type(
        "analytics.report_schedule", _("report schedule"), _describe_schedules
    )
