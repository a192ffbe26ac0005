"""Background tasks of content: thin, they take ids and call services.

Periodic schedules are not declared here: they all live in `config/schedule.py`.
"""

from huey.contrib.djhuey import db_task

from . import previews, services
from .services import approvals as review


@db_task()
def refresh_states() -> int:
    """Approved items past publish-at go live; live ones past expire-at expire."""
    return services.items_refresh_states()


@db_task()
def fetch_link_preview(item_id: int) -> str:
    """Read the preview of an item's link (queued when the link is saved or refreshed).
    Idempotent: it does nothing unless the item still waits for the preview of its link."""
    return previews.item_preview_fetch(item_id=item_id)


@db_task(retries=3, retry_delay=60)
def send_review_outcome_email(transition_id: int) -> bool:
    """The author's email about an approval or a request for changes (at most once)."""
    return review.review_outcome_email_send(transition_id=transition_id)


@db_task()
def send_review_reminders() -> int:
    """The approvers' daily reminder of the items due within a day or overdue."""
    return review.review_reminders_send()


# Registration hook for the one schedule module. The worker (`manage.py run_huey`) imports the
# `tasks` module of every installed app, and `config` is not an app: importing the schedule
# here is what makes the worker see its periodic tasks. Kept last, after the tasks that the
# schedule uses, because config.schedule imports this module back.
import config.schedule  # noqa: E402, F401
