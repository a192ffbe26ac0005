"""What analytics announces to other apps (they connect; analytics imports none of them).

- `goal_reached(organization_id, goal_id)`: a goal reached its target; sent once per goal,
  after the commit of the check that recorded it (`services.goal_check`).
"""

from __future__ import annotations

from django.dispatch import Signal

goal_reached = Signal()
