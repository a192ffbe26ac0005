"""The signals that reach Slack and Teams: the same declared signals as the in-app
notifications (`content.signals.item_went_live`, `analytics.signals.goal_reached`, each
sent once committed), with their own receivers so a channel's trouble never touches the
in-app notices. A receiver only queues a task with ids; a failure is logged, never raised.
Connected by `NotificationsConfig.ready()`."""

from __future__ import annotations

import logging
from typing import Any

from portevoix.analytics import signals as analytics_signals
from portevoix.content import signals as content_signals

from . import tasks

logger = logging.getLogger("portevoix.notifications.chat")


def on_item_live(sender: Any, organization_id: int, item_id: int, **kw: Any) -> None:
    try:
        tasks.chat_item_live(organization_id, item_id)
    except Exception:
        logger.exception("chat_hook_failed", extra={"organization_id": organization_id})


def on_goal_reached(sender: Any, organization_id: int, goal_id: int, **kw: Any) -> None:
    try:
        tasks.chat_goal_reached(organization_id, goal_id)
    except Exception:
        logger.exception("chat_hook_failed", extra={"organization_id": organization_id})


def connect() -> None:
    content_signals.item_went_live.connect(on_item_live, dispatch_uid="chat_item_live")
    analytics_signals.goal_reached.connect(on_goal_reached, dispatch_uid="chat_goal_reached")
