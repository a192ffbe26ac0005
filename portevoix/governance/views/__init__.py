"""Web pages of governance: the charter, guardrails, moderation and the audit log.

Views parse, authorize, call one service or selector, and render. Objects are reached
through the selectors, which look them up in the current organization first: another
organization's object is a 404.
"""

from django.utils.translation import gettext_lazy

from .audit import audit_csv, audit_log
from .charter import (
    acknowledgements,
    acknowledgements_csv,
    charter,
    charter_accept,
    charter_delete,
    charter_edit,
    charter_manage,
    charter_new,
    charter_publish,
)
from .guardrails import check, check_live, rule_delete, rule_edit, rule_new, rules
from .moderation import case_decide, case_detail, queue, report, report_done

__all__ = [
    "acknowledgements",
    "acknowledgements_csv",
    "audit_csv",
    "audit_log",
    "case_decide",
    "case_detail",
    "charter",
    "charter_accept",
    "charter_delete",
    "charter_edit",
    "charter_manage",
    "charter_new",
    "charter_publish",
    "check",
    "check_live",
    "queue",
    "report",
    "report_done",
    "rule_delete",
    "rule_edit",
    "rule_new",
    "rules",
]

# The main navigation (core's base.html) links here with these labels; they are translated
# in this app's catalogue, next to the pages they open.
NAV_LABELS = (gettext_lazy("Charter"), gettext_lazy("Moderation"))
