"""The digest through a real SMTP server on 127.0.0.1 (aiosmtpd): headers, both parts, the
language of each ambassador, their own links; retries with backoff; and exactly once per
person after a worker process is killed in the middle of a batch."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test.utils import override_settings

from portevoix.core import clock
from portevoix.notifications.mail import services, tokens
from portevoix.notifications.models_mail import DeliveryState, DigestRun, EmailDelivery
from tests import installed_var
from tests.factories import make_live_item, make_member
from tests.notifications.smtp_server import SMTPServer

pytestmark = [pytest.mark.slow]

SHARE = re.compile(r"/m/s/(\d+)/([A-Za-z0-9_-]{22})")


def smtp(server: SMTPServer) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        DEFAULT_FROM_EMAIL="Acme ambassadors <ambassadors@acme.test>",
    )


def new_run(org) -> DigestRun:
    now = clock.now()
    return DigestRun.objects.create(
        organization=org,
        frequency="weekly",
        period="t",
        started_at=now,
        since=now - dt.timedelta(days=7),
        touched_at=now,
    )


def run_all(run: DigestRun) -> None:
    queued = [run.pk]
    while queued:
        queued.pop()
        services.digest_batch_run(run_id=run.pk, queue_next=queued.append)


@pytest.mark.django_db
def test_the_digest_arrives_with_its_headers_both_parts_and_the_members_language(
    org, manager, approver, ambassador
):
    english = make_member(org, email="en@acme.test", ambassador=True)
    for member, language in ((ambassador, "fr"), (english, "en")):
        member.user.language = language
        member.user.save(update_fields=["language"])
    item = make_live_item(manager, approver)
    run = new_run(org)
    with SMTPServer() as server, smtp(server):
        run_all(run)
    fr = server.recorder.to("ambassador@acme.test")
    en = server.recorder.to("en@acme.test")
    assert len(fr) == 1 and len(en) == 1
    for [message], member, language in ((fr, ambassador, "fr"), (en, english, "en")):
        assert message["From"] == "Acme ambassadors <ambassadors@acme.test>"
        assert message["Message-ID"] == f"<portevoix.digest.{run.pk}.{member.pk}@acme.test>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"]).strip()
        assert re.fullmatch(r"<http://[^>]+/u/[^>]+/>", unsubscribe)
        token = unsubscribe.rsplit("/u/", 1)[1].rstrip("/>")
        found = tokens.unsubscribe_read(token)
        assert found is not None and found.membership_id == member.pk
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert item.title in text and item.title in html
        assert f'<html lang="{language}">' in html
        for org_id, token in SHARE.findall(text) + SHARE.findall(html):
            ref = tokens.link_read(int(org_id), token)
            assert ref is not None and ref.membership_id == member.pk
    assert "nouvelle publication" in str(fr[0]["Subject"])
    assert "new post to share" in str(en[0]["Subject"])
    assert "Bonjour" in fr[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hello" in en[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_refused_message_is_retried_with_backoff_then_given_up_and_shown(
    org, manager, approver, ambassador
):
    make_live_item(manager, approver)
    run = new_run(org)
    with SMTPServer() as server, smtp(server):
        server.recorder.refuse = 1
        run_all(run)
        delivery = EmailDelivery.objects.get(membership=ambassador)
        assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
        assert delivery.last_error == "SMTPDataError"
        assert delivery.next_attempt_at is not None
        wait = delivery.next_attempt_at - clock.now()
        assert dt.timedelta(seconds=50) < wait <= services.backoff(1)
        # Not due yet: nothing happens.
        assert services.deliveries_send(delivery_ids=[delivery.pk]) == 0
        later = delivery.next_attempt_at + dt.timedelta(seconds=1)
        assert services.deliveries_send(delivery_ids=[delivery.pk], now=later) == 1
    assert len(server.recorder.to("ambassador@acme.test")) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 2
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]


@pytest.mark.django_db
def test_after_every_attempt_failed_the_delivery_is_failed(org, manager, approver, ambassador):
    make_live_item(manager, approver)
    run = new_run(org)
    with SMTPServer() as server, smtp(server):
        server.recorder.refuse = services.MAX_ATTEMPTS
        run_all(run)
        delivery = EmailDelivery.objects.get(membership=ambassador)
        when = clock.now()
        while delivery.state == DeliveryState.PENDING:
            assert delivery.next_attempt_at is not None
            when = delivery.next_attempt_at + dt.timedelta(seconds=1)
            services.deliveries_send(delivery_ids=[delivery.pk], now=when)
            delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert server.recorder.messages == []


def _worker(
    command: str, db: Path, *args: object, port: int, database_url: str = ""
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_LEASE_SECONDS": "1",
        "HUEY_IMMEDIATE": "1",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["WORKER_DATABASE_URL"] = database_url
    script = Path(__file__).with_name("digest_worker.py")
    return subprocess.Popen(
        [sys.executable, str(script), command, str(db), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def digests(server: SMTPServer) -> list:
    """The digests the server accepted (the setup's content approval sends its own email)."""
    return [m for m in server.recorder.messages if m["Message-ID"].startswith("<portevoix.digest.")]


@contextlib.contextmanager
def worker_database(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The workers' database: a migrated SQLite copy, or, when the tests run on PostgreSQL
    (DATABASE_URL), a database of their own on that server, dropped afterwards."""
    db = tmp_path / "digest.sqlite3"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        installed_var.copy_database(db)
        yield db, ""
        return
    import psycopg

    name = f"digest_kill_{os.getpid()}"
    base, _slash, _db = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield db, f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_each_person_gets_it_exactly_once_after_a_worker_is_killed_mid_batch(tmp_path):
    with worker_database(tmp_path) as (db, database_url):
        killed_and_resumed(db, database_url)


def killed_and_resumed(db: Path, database_url: str) -> None:
    with SMTPServer() as server:
        setup = _worker("setup", db, port=server.port, database_url=database_url)
        out, err = setup.communicate(timeout=600)
        assert setup.returncode == 0, err
        facts = json.loads(out.strip().splitlines()[-1])
        worker = _worker("run", db, facts["run"], 5, port=server.port, database_url=database_url)

        def kill_mid_batch(_accepted: int) -> None:
            # Between two messages of the second batch of 5: the 7th was accepted and marked
            # (the client only starts the next message after that).
            if len(digests(server)) >= 7 and worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)

        server.recorder.before_rcpt = kill_mid_batch
        worker.wait(timeout=180)
        assert worker.returncode == -signal.SIGKILL
        server.recorder.before_rcpt = None
        first = len(digests(server))
        assert 7 <= first < 12
        time.sleep(1.5)  # the killed worker's lease (EMAIL_LEASE_SECONDS=1) expires
        again = _worker("resume", db, facts["run"], 5, port=server.port, database_url=database_url)
        _out, err = again.communicate(timeout=180)
        assert again.returncode == 0, err
    per_recipient = Counter(m["To"] for m in digests(server))
    assert per_recipient == Counter(dict.fromkeys(facts["emails"], 1))
    ids = Counter(m["Message-ID"] for m in digests(server))
    assert all(n == 1 for n in ids.values()) and len(ids) == 12
