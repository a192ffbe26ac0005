"""Background tasks of notifications: thin, they take ids (never a key or an address) and
call services. The periodic runs are declared in `config/schedule.py`, like every schedule.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services, sources


@db_task()
def send_push(notification_id: int) -> str:
    return services.push_send(notification_id=notification_id)


@db_task()
def release_held_pushes() -> int:
    """Pushes held during quiet hours go out once they end (within the daily cap)."""
    return services.push_release_held()


@db_task()
def notify_events_tomorrow() -> int:
    return sources.events_tomorrow()


@db_task()
def notify_item_live(organization_id: int, item_id: int) -> int:
    return sources.item_live(organization_id=organization_id, item_id=item_id)


@db_task()
def notify_post_finished(organization_id: int, post_id: int) -> int:
    return sources.post_finished(organization_id=organization_id, post_id=post_id)


@db_task()
def notify_reconnect(organization_id: int, connection_id: int) -> int:
    return sources.connection_needs_reconnect(
        organization_id=organization_id, connection_id=connection_id
    )


@db_task()
def notify_suggestion_answered(organization_id: int, case_id: int) -> int:
    return sources.suggestion_answered(organization_id=organization_id, case_id=case_id)


@db_task()
def notify_reward_answered(organization_id: int, redemption_id: int, status: str) -> int:
    return sources.reward_answered(
        organization_id=organization_id, redemption_id=redemption_id, status=status
    )


@db_task()
def notify_goal_reached(organization_id: int, goal_id: int) -> int:
    return sources.goal_reached(organization_id=organization_id, goal_id=goal_id)


def notify_badge_earned(organization_id: int, award_id: int) -> int:
    return sources.badge_earned(organization_id=organization_id, award_id=award_id)


def notify_idea_decided(organization_id: int, idea_id: int) -> int:
    return sources.idea_decided(organization_id=organization_id, idea_id=idea_id)


def notify_survey(organization_id: int, survey_id: int, what: str) -> int:
    return sources.survey(organization_id=organization_id, survey_id=survey_id, what=what)


from .chat.tasks import (  # noqa: E402, F401  (Slack and Teams: chat/tasks.py)
    chat_deliver,
    chat_goal_reached,
    chat_item_live,
    chat_slack_share,
)

# The emails to ambassadors (digests, important content): their tasks, loaded with these.
from .mail.tasks import mail_batch, mail_important, mail_send  # noqa: E402,F401
