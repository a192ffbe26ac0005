"""Background tasks of governance: thin, they take ids and call services."""

from huey.contrib.djhuey import db_task

from . import services


@db_task(retries=3, retry_delay=60)
def send_moderation_decision_email(case_id: int) -> None:
    """Tell the author why their text was rejected or removed (once, in their language)."""
    services.moderation_decision_email_send(case_id=case_id)
