"""What recognition tells the apps above it (a declared surface: notifications connects to
these, never to recognition's models).

- `badge_earned`: a person earned a badge. Sent ONCE the transaction that recorded it has
  committed (`transaction.on_commit`), with `organization_id`, `membership_id`,
  `badge_id` and `award_id`. Receivers may be slow-ish (they should queue work), and a
  failure in one never undoes the badge.
"""

from __future__ import annotations

from django.dispatch import Signal

badge_earned = Signal()
