"""Background tasks of accounts: thin, they take ids and call services."""

from huey.contrib.djhuey import db_task

from . import services


@db_task(retries=3, retry_delay=60)
def send_invitation_email(invitation_id: int, url: str, language: str) -> None:
    services.invitation_email_send(invitation_id=invitation_id, url=url, language=language)
