"""What the idea box announces (a declared surface: recognition and notifications listen).

Each is sent INSIDE the transaction of the triage decision, so that recognition writes the
author's points in that same transaction (they commit together or not at all); receivers
that do slow work (notifications) queue it with `transaction.on_commit`.

Arguments: `organization_id`, `idea_id`, `author_id` (the author's membership), `at`;
`idea_merged` adds `into_id` (the idea it joined).
"""

from __future__ import annotations

from django.dispatch import Signal

idea_accepted = Signal()
idea_declined = Signal()
idea_merged = Signal()
