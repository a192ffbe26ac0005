"""Every write of the governance app: charter versions and acknowledgements, guardrail rules,
moderation decisions and reports. Each admin or moderation action writes an audit entry in
the same transaction (`gates.audit_record`).

The package: `charter`, `guardrails` (rules) and `moderation`; the audit entry writer is
`gates.audit_record`. Other apps and the views use the names re-exported here.
"""

from .charter import (
    MAX_CHARTER_CHARS,
    MAX_SUMMARY_CHARS,
    charter_acknowledge,
    charter_draft_create,
    charter_draft_delete,
    charter_draft_update,
    charter_publish,
)
from .erasure import member_erase
from .guardrails import (
    MAX_DISCLOSURE_CHARS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    RuleData,
    rule_create,
    rule_delete,
    rule_update,
)
from .moderation import (
    MAX_REASON_CHARS,
    Decision,
    moderation_decide,
    moderation_decision_email_send,
    moderation_report,
)

__all__ = [
    "MAX_CHARTER_CHARS",
    "MAX_DISCLOSURE_CHARS",
    "MAX_REASON_CHARS",
    "MAX_SUMMARY_CHARS",
    "MAX_TERMS",
    "MAX_TERM_CHARS",
    "Decision",
    "RuleData",
    "charter_acknowledge",
    "charter_draft_create",
    "charter_draft_delete",
    "charter_draft_update",
    "charter_publish",
    "member_erase",
    "moderation_decide",
    "moderation_decision_email_send",
    "moderation_report",
    "rule_create",
    "rule_delete",
    "rule_update",
]
