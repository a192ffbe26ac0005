"""Background tasks of training: thin, they take ids and call services.

The periodic reminder run is declared in `config/schedule.py`, like every schedule.
"""

from huey.contrib.djhuey import db_task

from . import services


@db_task(retries=3, retry_delay=60)
def send_registration_email(registration_id: int, kind: str) -> bool:
    """Confirmation, waiting list, promotion, change or cancellation of a registration."""
    return services.registration_email_send(registration_id=registration_id, kind=kind)


@db_task()
def send_event_reminders() -> int:
    """Reminders with the calendar invitation, 24 hours before each session (once each)."""
    return services.event_reminders_send()
