"""Background tasks of accounts: thin, they take ids and call services."""

from huey.contrib.djhuey import db_task

from . import services


@db_task(retries=3, retry_delay=60)
def send_invitation_email(invitation_id: int, language: str) -> None:
    """Only the id is queued: the service reads the sealed token from the invitation row
    when it sends, so no secret is kept in the queue's storage."""
    services.invitation_email_send(invitation_id=invitation_id, language=language)


@db_task(retries=3, retry_delay=60)
def send_password_reset_email(user_id: int, language: str) -> None:
    """Only the user's id is queued: the one-time link is made when the email is sent."""
    services.password_reset_email_send(user_id=user_id, language=language)
