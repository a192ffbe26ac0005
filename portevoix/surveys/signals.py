"""What surveys tell other apps, as Django signals (a declared surface: other apps connect to
these, never to surveys' models).

- `survey_answered`: a member answered a survey (once per survey and member). Sent INSIDE the
  transaction that records the participation, so a receiver's writes (recognition's points)
  commit with it; receivers must be quick and idempotent. Sent with `organization_id`,
  `membership_id`, `survey_id` and `at`. It never carries an answer.
- `survey_launched`: a survey opened to its audience. Sent once committed, with
  `organization_id` and `survey_id` (notifications tells the audience).
- `survey_reminder_due`: the one reminder of a survey is due (claimed once). Sent once
  committed, with `organization_id` and `survey_id`; the members still to answer are
  `selectors.pending_member_ids`.
"""

from __future__ import annotations

from django.dispatch import Signal

survey_answered = Signal()
survey_launched = Signal()
survey_reminder_due = Signal()
