"""What content tells other apps, as Django signals (a declared surface: other apps connect
to these, never to content's models).

- `item_went_live`: an item reached the ambassadors' feed (approved with publish-at past, or
  publish-at reached). Sent with `organization_id`, `item_id` and `important`, once the
  change is committed, whichever path made it live (an approval or `items_refresh_states`).
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from .models import ContentItem, State

item_went_live = Signal()


def announce_if_live(item: ContentItem, to_state: str) -> None:
    """Send `item_went_live` once the transaction commits, if `item` is going live now."""
    if to_state != State.LIVE or item.state == State.LIVE:
        return
    organization_id, item_id, important = item.organization_id, item.pk, item.important
    transaction.on_commit(
        lambda: item_went_live.send(
            sender=ContentItem,
            organization_id=organization_id,
            item_id=item_id,
            important=important,
        )
    )
