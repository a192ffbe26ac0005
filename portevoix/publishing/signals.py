"""What publishing tells other apps, as Django signals (a declared surface: other apps
connect to these, never to publishing's models). Each is sent once the change is committed.

- `post_finished`: a post the engine took ended. Sent with `organization_id`,
  `membership_id` (the account owner), `post_id` and `state` ("published" or "failed").
- `connection_needs_reconnect`: a connected account went from connected to "needs to be
  reconnected". Sent with `organization_id`, `membership_id` and `connection_id`.
- `engagement_changed`: the engagement sync kept a new snapshot of a shared post. Sent
  INSIDE the sync's transaction (receivers write with it, quickly and idempotently) with
  `organization_id`, `membership_id`, `share_id`, `snapshot_id`, `network`, `at` and the
  increases since the previous snapshot: `likes`, `reposts` (quotes included), `comments`.
- `post_deleted`: the engagement sync found a published post gone from its network (the
  connector's answer left it out). Sent once, INSIDE the sync's transaction, with
  `organization_id`, `membership_id`, `post_id` and `share_id` (None for a post without a
  share).
- `pause_started` / `pause_ended`: a crisis pause started or ended. Sent once committed,
  with `organization_id`, `pause_id` and `campaign_id` (None for the whole organization).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

post_finished = Signal()
connection_needs_reconnect = Signal()
engagement_changed = Signal()
post_deleted = Signal()
pause_started = Signal()
pause_ended = Signal()


def send_on_commit(signal: Signal, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
