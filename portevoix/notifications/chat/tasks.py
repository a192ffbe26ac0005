"""The queue's tasks for Slack and Teams: thin, they take ids and call the chat modules.
Imported by `notifications/tasks.py` (the worker discovers each app's `tasks`); the
periodic runs are in config/schedule.py."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import delivery, events, slack


@db_task()
def chat_deliver(delivery_id: int) -> str:
    return delivery.delivery_send(delivery_id=delivery_id)


@db_task()
def chat_item_live(organization_id: int, item_id: int) -> int:
    return events.item_live(organization_id=organization_id, item_id=item_id)


@db_task()
def chat_goal_reached(organization_id: int, goal_id: int) -> int:
    return events.goal_reached(organization_id=organization_id, goal_id=goal_id)


@db_task()
def chat_slack_share(request_id: int) -> str:
    return slack.share_click_answer(request_id=request_id)


def chat_due() -> int:
    """Deliveries due for their (next) attempt, each in its own task."""
    due = delivery.deliveries_due()
    for pk in due:
        chat_deliver(pk)
    return len(due)


def chat_challenges() -> int:
    return events.challenges_progress()


def chat_weekly_digest() -> int:
    return events.weekly_digest()
