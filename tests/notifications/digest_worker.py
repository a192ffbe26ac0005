"""Run by test_digest_smtp: a digest worker in a process of its own, on a SQLite file
database (or the PostgreSQL database of WORKER_DATABASE_URL, when the tests run on
PostgreSQL), sending through Django's SMTP backend to the test's server (EMAIL_HOST/PORT).

    python digest_worker.py setup <db>            -> prints {"run": id, "emails": {...}}
    python digest_worker.py run <db> <run> <n>    -> the run's batches of n, one after another
    python digest_worker.py resume <db> <run> <n> -> what mail_resume finds, then the run
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
if os.environ.get("WORKER_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["WORKER_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = sys.argv[2]

import django

django.setup()


def setup() -> None:
    import datetime as dt

    from django.core.management import call_command

    from portevoix.accounts.roles import Role
    from portevoix.core import clock
    from portevoix.notifications.models_mail import DigestRun
    from tests import factories

    call_command("migrate", verbosity=0)
    org = factories.make_org("Killed")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    emails = {}
    for n in range(12):
        member = factories.make_member(org, email=f"amb{n}@kill.test", ambassador=True)
        user = member.user
        user.language = "en" if n % 2 else "fr"
        user.save(update_fields=["language"])
        emails[user.email] = member.pk
    factories.make_live_item(manager, approver)
    now = clock.now()
    run = DigestRun.objects.create(
        organization=org,
        frequency="weekly",
        period="kill",
        started_at=now,
        since=now - dt.timedelta(days=7),
        touched_at=now,
    )
    print(json.dumps({"run": run.pk, "emails": emails}))


def run(run_id: int, batch_size: int) -> None:
    from portevoix.notifications.mail import services

    while not services.digest_batch_run(
        run_id=run_id, batch_size=batch_size, queue_next=lambda _pk: None
    ).finished:
        pass


def resume(run_id: int, batch_size: int) -> None:
    from portevoix.notifications.mail import services

    found: list[list[int]] = []
    services.mail_resume(queue=found.append)
    for ids in found:
        services.deliveries_send(delivery_ids=ids)
    run(run_id, batch_size)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup()
    elif command == "run":
        run(int(sys.argv[3]), int(sys.argv[4]))
    else:
        resume(int(sys.argv[3]), int(sys.argv[4]))
