"""Writes of the publishing app: posts (now, at a time, at the best time; from the feed
card, on one account or on all of them), delegated posts and their approval, cadence rules,
crisis pauses. Connections live in `connections.py`, the engine that sends posts in
`engine.py`."""

from .card import (
    CardOutcome,
    card_publish,
    card_publish_all,
    refusal_text,
)
from .delegation import (
    delegation_grant,
    delegation_revoke,
)
from .managers import (
    CADENCE_MAX_GAP_MINUTES,
    CADENCE_MAX_PER_DAY,
    cadence_set,
    held_decide,
    pause_end,
    pause_start,
)
from .posts import (
    EDITABLE_STATES,
    MAX_AHEAD,
    PostDraft,
    post_approve,
    post_cancel,
    post_create,
    post_decline,
    post_retry,
    post_update,
)

__all__ = [
    "CADENCE_MAX_GAP_MINUTES",
    "CADENCE_MAX_PER_DAY",
    "EDITABLE_STATES",
    "MAX_AHEAD",
    "CardOutcome",
    "PostDraft",
    "cadence_set",
    "card_publish",
    "card_publish_all",
    "delegation_grant",
    "delegation_revoke",
    "held_decide",
    "pause_end",
    "pause_start",
    "post_approve",
    "post_cancel",
    "post_create",
    "post_decline",
    "post_retry",
    "post_update",
    "refusal_text",
]
