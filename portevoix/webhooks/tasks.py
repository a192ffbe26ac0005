"""Background tasks of outgoing webhooks: thin, they take ids and call `delivery`.

The periodic one (`webhooks_due`, every minute) lives in `config/schedule.py`.
"""

from huey.contrib.djhuey import db_task

from . import delivery


@db_task(retries=0)
def deliver(delivery_id: int) -> str:
    """One attempt of one delivery, if it is due (the claim makes a duplicate harmless)."""
    return delivery.delivery_attempt(delivery_id=delivery_id)


@db_task()
def deliver_due() -> int:
    """Enqueue every delivery whose next attempt has come."""
    ids = delivery.due_delivery_ids()
    for pk in ids:
        deliver(pk)
    return len(ids)
