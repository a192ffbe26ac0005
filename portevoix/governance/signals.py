"""What governance tells other apps, as Django signals (a declared surface: other apps
connect to these, never to governance's models).

- `moderation_decided`: a moderator decided a case. Sent once the decision is committed,
  with `organization_id`, `case_id`, `source` ("warning", "report", "suggestion"), `status`
  ("approved", "rejected", "removed") and `author_id` (the author's membership, or None).
  Notifications tells the author of a suggestion that it was answered.
"""

from __future__ import annotations

from django.dispatch import Signal

moderation_decided = Signal()
