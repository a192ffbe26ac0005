"""Web pages of publishing, by page family: connected accounts and delegation (`accounts`),
publishing and the ambassador's posts (`posts`), publishing from the feed card (`card`), the
managers' pages (`managers`).

Views parse, authorize, call one service or selector, and render.
"""

from .accounts import (
    accounts,
    callback,
    connect,
    connect_bluesky,
    connection_kind,
    delegate,
    disconnect,
    undelegate,
)
from .card import card_publish, card_publish_all
from .managers import apps, cadence, held_decide, pause, pause_end
from .posts import (
    best_time,
    post_approve,
    post_cancel,
    post_decline,
    post_edit,
    post_retry,
    posts,
    publish,
    time_zone,
)

__all__ = [
    "accounts",
    "apps",
    "best_time",
    "cadence",
    "callback",
    "card_publish",
    "card_publish_all",
    "connect",
    "connect_bluesky",
    "connection_kind",
    "delegate",
    "disconnect",
    "held_decide",
    "pause",
    "pause_end",
    "post_approve",
    "post_cancel",
    "post_decline",
    "post_edit",
    "post_retry",
    "posts",
    "publish",
    "time_zone",
    "undelegate",
]
