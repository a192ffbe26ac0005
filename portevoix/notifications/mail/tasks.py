"""The queue's tasks of the emails: thin, they take ids and call services. Imported by
`notifications/tasks.py` (the module the worker loads); schedules in `config/schedule.py`."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def mail_batch(run_id: int) -> int:
    """One batch of a digest (or important-content) run; it queues the next one itself."""
    return services.digest_batch_run(run_id=run_id).sent


@db_task()
def mail_send(delivery_ids: list[int]) -> int:
    return services.deliveries_send(delivery_ids=delivery_ids)


@db_task()
def mail_important(organization_id: int, item_id: int) -> bool:
    return (
        services.important_run_start(organization_id=organization_id, item_id=item_id) is not None
    )


def mail_resume() -> int:
    return services.mail_resume()


def digests_due() -> int:
    return services.digests_due()
