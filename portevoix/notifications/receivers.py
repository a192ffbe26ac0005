"""The other apps' signals (each sent once their change is committed), turned into tasks.

A receiver only queues a task with ids; a failure here is logged and never reaches the app
that sent the signal (a notification must not break publishing or an approval).
Connected by `NotificationsConfig.ready()`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from portevoix.accounts import signals as account_signals
from portevoix.analytics import signals as analytics_signals
from portevoix.content import signals as content_signals
from portevoix.core import signals as core_signals
from portevoix.governance import signals as governance_signals
from portevoix.ideas import signals as ideas_signals
from portevoix.publishing import signals as publishing_signals
from portevoix.recognition import signals as recognition_signals
from portevoix.rewards import signals as rewards_signals
from portevoix.surveys import signals as survey_signals

from . import listening_alerts, services, sources, tasks

logger = logging.getLogger("portevoix.notifications")


def _safely(what: str, organization_id: Any, call: Any, *args: Any) -> None:
    try:
        call(*args)
    except Exception:
        logger.exception(
            "notification_hook_failed",
            extra={"organization_id": organization_id, "hook": what},
        )


def on_item_live(
    sender: Any, organization_id: int, item_id: int, important: bool, **kw: Any
) -> None:
    if important:
        _safely("item_live", organization_id, tasks.notify_item_live, organization_id, item_id)
        _safely("item_live_email", organization_id, tasks.mail_important, organization_id, item_id)


def on_post_finished(sender: Any, organization_id: int, post_id: int, **kw: Any) -> None:
    _safely("post_finished", organization_id, tasks.notify_post_finished, organization_id, post_id)


def on_reconnect(sender: Any, organization_id: int, connection_id: int, **kw: Any) -> None:
    _safely("reconnect", organization_id, tasks.notify_reconnect, organization_id, connection_id)


def on_moderation_decided(
    sender: Any, organization_id: int, case_id: int, source: str, **kw: Any
) -> None:
    if source == "suggestion":
        _safely(
            "suggestion",
            organization_id,
            tasks.notify_suggestion_answered,
            organization_id,
            case_id,
        )


def on_idea_decided(sender: Any, organization_id: int, idea_id: int, **kw: Any) -> None:
    # The idea box sends its signals inside the decision's transaction: queue once committed.
    transaction.on_commit(
        lambda: _safely(
            "idea", organization_id, tasks.notify_idea_decided, organization_id, idea_id
        )
    )


def on_withdrawal(sender: Any, organization_id: int, membership_id: int, **kw: Any) -> None:
    # At once, not queued: the subscriptions are gone as soon as the withdrawal is committed.
    _safely(
        "withdrawal",
        organization_id,
        lambda: services.member_withdrew(
            organization_id=organization_id, membership_id=membership_id
        ),
    )


def on_redemption_decided(
    sender: Any, organization_id: int, redemption_id: int, status: str, **kw: Any
) -> None:
    _safely(
        "reward",
        organization_id,
        tasks.notify_reward_answered,
        organization_id,
        redemption_id,
        status,
    )


def on_badge_earned(sender: Any, organization_id: int, award_id: int, **kw: Any) -> None:
    _safely("badge", organization_id, tasks.notify_badge_earned, organization_id, award_id)


def on_goal_reached(sender: Any, organization_id: int, goal_id: int, **kw: Any) -> None:
    _safely("goal", organization_id, tasks.notify_goal_reached, organization_id, goal_id)


def on_survey_launched(sender: Any, organization_id: int, survey_id: int, **kw: Any) -> None:
    _safely("survey", organization_id, tasks.notify_survey, organization_id, survey_id, "open")


def on_survey_reminder(sender: Any, organization_id: int, survey_id: int, **kw: Any) -> None:
    _safely("survey", organization_id, tasks.notify_survey, organization_id, survey_id, "remind")


def on_integration_disabled(
    sender: Any,
    organization_id: int,
    integration: str,
    object_id: int,
    name: str,
    failures: int,
    **kw: Any,
) -> None:
    _safely(
        "integration_disabled",
        organization_id,
        lambda: sources.integration_disabled(
            organization_id=organization_id,
            integration=integration,
            object_id=object_id,
            name=name,
            failures=failures,
        ),
    )


def on_listening_alert(sender: Any, organization_id: int, **data: Any) -> None:
    # Sent by the hourly spike job once the alert is kept: told at once (that job is a task).
    _safely(
        "listening_alert",
        organization_id,
        lambda: listening_alerts.listening_alert(organization_id=organization_id, **data),
    )


def on_mention_assigned(sender: Any, organization_id: int, **data: Any) -> None:
    _safely(
        "listening_mention_assigned",
        organization_id,
        lambda: listening_alerts.mention_assigned(organization_id=organization_id, **data),
    )


def connect() -> None:
    core_signals.listening_mention_assigned.connect(
        on_mention_assigned, dispatch_uid="notifications_listening_mention_assigned"
    )
    core_signals.listening_alert.connect(
        on_listening_alert, dispatch_uid="notifications_listening_alert"
    )
    core_signals.integration_disabled.connect(
        on_integration_disabled, dispatch_uid="notifications_integration_disabled"
    )
    content_signals.item_went_live.connect(on_item_live, dispatch_uid="notifications_item_live")
    publishing_signals.post_finished.connect(
        on_post_finished, dispatch_uid="notifications_post_finished"
    )
    publishing_signals.connection_needs_reconnect.connect(
        on_reconnect, dispatch_uid="notifications_reconnect"
    )
    governance_signals.moderation_decided.connect(
        on_moderation_decided, dispatch_uid="notifications_moderation_decided"
    )
    rewards_signals.redemption_decided.connect(
        on_redemption_decided, dispatch_uid="notifications_redemption_decided"
    )
    for name in ("idea_accepted", "idea_declined", "idea_merged"):
        getattr(ideas_signals, name).connect(on_idea_decided, dispatch_uid=f"notifications_{name}")
    account_signals.ambassador_withdrew.connect(
        on_withdrawal, dispatch_uid="notifications_withdrawal"
    )
    recognition_signals.badge_earned.connect(
        on_badge_earned, dispatch_uid="notifications_badge_earned"
    )
    analytics_signals.goal_reached.connect(
        on_goal_reached, dispatch_uid="notifications_goal_reached"
    )
    survey_signals.survey_launched.connect(
        on_survey_launched, dispatch_uid="notifications_survey_launched"
    )
    survey_signals.survey_reminder_due.connect(
        on_survey_reminder, dispatch_uid="notifications_survey_reminder"
    )
