"""What training tells other apps, as Django signals (a declared surface: other apps connect
to these, never to training's models). Each is sent INSIDE the transaction that records the
change, so a receiver's writes (recognition's points) commit with it; receivers must be
quick and idempotent.

- `course_passed`: a member passed a course's quiz and got its certificate. Sent with
  `organization_id`, `membership_id`, `course_id`, `certificate_id` and `at`.
- `attendance_marked`: the coach marked who came to a session. Sent with
  `organization_id`, `event_id`, `at`, `attended` and `absent` (membership ids).
"""

from __future__ import annotations

from django.dispatch import Signal

course_passed = Signal()
attendance_marked = Signal()
