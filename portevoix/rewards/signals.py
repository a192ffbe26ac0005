"""What rewards tells the apps above it (notifications), each sent once committed.

`redemption_decided(organization_id, redemption_id, membership_id, status)`: an
administrator approved, fulfilled or refused a member's redemption (`status` is the new
one). Sent with `transaction.on_commit`, never for a rolled-back decision.
"""

from __future__ import annotations

from django.dispatch import Signal

redemption_decided = Signal()
