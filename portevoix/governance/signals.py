"""What governance tells other apps, as Django signals (a declared surface: other apps
connect to these, never to governance's models).

- `moderation_decided`: a moderator decided a case. Sent once the decision is committed,
  with `organization_id`, `case_id`, `source` ("warning", "report", "suggestion"), `status`
  ("approved", "rejected", "removed") and `author_id` (the author's membership, or None).
  Notifications tells the author of a suggestion that it was answered.
- `moderation_opened`: a new moderation case was opened (a guardrail warning, a member's
  report, a suggestion to review). Sent once the case is committed, with `organization_id`,
  `case_id` and `source`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

moderation_decided = Signal()
moderation_opened = Signal()


def announce_case_opened(case: Any) -> None:
    """Send `moderation_opened` for a case just created, once its transaction commits."""
    sent = {"organization_id": case.organization_id, "case_id": case.pk, "source": case.source}
    transaction.on_commit(lambda: moderation_opened.send(sender=None, **sent))
