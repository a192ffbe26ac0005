"""Every write of the emails to ambassadors: runs, batches, claims, sending, retries,
preferences, unsubscribing, bounces.

Exactly once, per member and email (see docs/decisions/0013-digest-emails.md):
1. a batch creates one `EmailDelivery` row per member it will write to, with a unique key
   ("digest:<run>:<member>"): a batch run twice creates nothing new;
2. it moves the run's cursor on (compare-and-set) and queues the next batch at once, so a
   run never holds the queue: each batch is one short task;
3. it claims its rows (one UPDATE: pending, or sending with an expired lease -> sending,
   with its claim id and a lease) and sends only what it claimed, marking each row sent
   right after the SMTP server accepted it; a lease running short is extended;
4. a worker killed at any point leaves rows pending, or sending with a lease: the periodic
   `mail_resume` queues them again once the lease has expired (and a run left untouched
   for a lease goes on from its cursor). Each message has a Message-ID derived from its key.
The remaining window: killed after the server accepted a message and before the row is
marked sent, that one message goes again (same Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, transaction
from django.db.models import F, Q

from portevoix.accounts import selectors as account_selectors
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.errors import NotFound

from ..models_mail import (
    LEASE,
    DeliveryKind,
    DeliveryState,
    DigestFrequency,
    DigestRun,
    EmailDelivery,
    EmailList,
)
from . import selectors
from .rendering import Renderer, mail_domain

logger = logging.getLogger("portevoix.notifications.mail")

BATCH_SIZE = 500
MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(minutes=1)  # 1, 4, 16, 64 minutes
IMPORTANT = "important"  # the `frequency` of a run that sends one important item


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`: 1 min, 4 min, 16 min, 64 min."""
    return BACKOFF_BASE * (4 ** max(0, attempts - 1))


def _lease() -> dt.timedelta:
    seconds = getattr(settings, "EMAIL_LEASE_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds else LEASE


# --------------------------------------------------------------------------- runs


def _period(frequency: str, local: dt.datetime) -> str:
    if frequency == DigestFrequency.DAILY:
        return local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_run_start(
    *, organization_id: int, frequency: str, local_now: dt.datetime, now: dt.datetime | None = None
) -> DigestRun | None:
    """The run of this period (created once: None when it already exists). Its first batch
    is queued on commit."""
    if frequency not in selectors.PERIODS:
        raise ValueError(frequency)
    now = now or clock.now()
    run, created = DigestRun.objects.get_or_create(
        organization_id=organization_id,
        frequency=frequency,
        period=_period(frequency, local_now),
        defaults={
            "started_at": now,
            "since": now - selectors.PERIODS[frequency],
            "touched_at": now,
        },
    )
    if not created:
        return None
    _queue_batch(run.pk)
    logger.info("digest_run_started", extra={"organization_id": organization_id, "run": run.pk})
    return run


def important_run_start(*, organization_id: int, item_id: int) -> DigestRun | None:
    """An important item went live: its email to each ambassador who reads its language and
    wants these emails, once per item (a run of its own, sent in batches like a digest)."""
    try:
        content_selectors.live_item(organization_id=organization_id, item_id=item_id)
    except NotFound:
        return None
    now = clock.now()
    run, created = DigestRun.objects.get_or_create(
        organization_id=organization_id,
        frequency=IMPORTANT,
        period=f"i{item_id}",
        defaults={"started_at": now, "since": now, "touched_at": now},
    )
    if not created:
        return None
    _queue_batch(run.pk)
    return run


def _queue_batch(run_id: int) -> None:
    from .tasks import mail_batch

    transaction.on_commit(lambda: mail_batch(run_id))


# --------------------------------------------------------------------------- batches


@dataclass
class BatchResult:
    members: int = 0
    created: int = 0
    sent: int = 0
    failed: int = 0
    finished: bool = False


def _member_rows(run: DigestRun, limit: int) -> list[dict[str, Any]]:
    org = run.organization_id
    if run.frequency == DigestFrequency.DAILY:
        ids = selectors.daily_member_ids(organization_id=org, after_id=run.cursor, limit=limit)
        if not ids:
            return []
        rows = account_selectors.ambassador_mail_rows(organization_id=org, ids=ids, limit=limit)
        # The cursor moves past every id taken, ambassadors or not.
        rows.append({"membership_id": ids[-1], "cursor_only": True})
        return rows
    return account_selectors.ambassador_mail_rows(
        organization_id=org, after_id=run.cursor, limit=limit
    )


def _recipients(run: DigestRun, rows: list[dict[str, Any]], now: dt.datetime) -> list[Any]:
    rows = [row for row in rows if not row.get("cursor_only")]
    if run.frequency != IMPORTANT:
        return selectors.digest_batch(
            organization_id=run.organization_id,
            rows=rows,
            since=run.since,
            frequency=run.frequency,
            now=now,
        )
    return selectors.important_batch(
        organization_id=run.organization_id, rows=rows, item_id=int(run.period[1:]), now=now
    )


def digest_batch_run(
    *,
    run_id: int,
    now: dt.datetime | None = None,
    queue_next: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    connection: Any = None,
) -> BatchResult:
    """One batch of a run: the next `batch_size` members after the run's cursor. Creates
    their deliveries, moves the cursor, queues the next batch, then sends what it claimed."""
    now = now or clock.now()
    run = DigestRun.objects.filter(pk=run_id).first()
    result = BatchResult()
    if run is None or run.finished_at is not None:
        result.finished = True
        return result
    rows = _member_rows(run, batch_size)
    if not rows:
        DigestRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=now, touched_at=now
        )
        result.finished = True
        return result
    result.members = len([r for r in rows if not r.get("cursor_only")])
    recipients = _recipients(run, rows, now)
    kind = DeliveryKind.IMPORTANT if run.frequency == IMPORTANT else DeliveryKind.DIGEST
    keys = {r.membership_id: _key(run, r.membership_id) for r in recipients}
    created = EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(
                organization_id=run.organization_id,
                key=keys[r.membership_id],
                kind=kind,
                run_id=run.pk,
                item_id=int(run.period[1:]) if kind == DeliveryKind.IMPORTANT else None,
                membership_id=r.membership_id,
                email=r.email,
                created_at=now,
            )
            for r in recipients
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    result.created = len(created)
    last_id = rows[-1]["membership_id"]
    moved = DigestRun.objects.filter(pk=run.pk, cursor=run.cursor).update(
        cursor=last_id, touched_at=now
    )
    if moved:
        (queue_next or _queue_next)(run.pk)
    ids = list(EmailDelivery.objects.filter(key__in=keys.values()).values_list("pk", flat=True))
    by_member = {r.membership_id: r for r in recipients}
    sent, failed = _send_claimed(run, _claim(ids, now), by_member, now=now, connection=connection)
    result.sent, result.failed = sent, failed
    return result


def _queue_next(run_id: int) -> None:
    from .tasks import mail_batch

    mail_batch(run_id)


def _key(run: DigestRun, membership_id: int) -> str:
    if run.frequency == IMPORTANT:
        return f"important:{run.period[1:]}:{membership_id}"
    return f"digest:{run.pk}:{membership_id}"


def _claim(ids: Iterable[int], now: dt.datetime) -> list[EmailDelivery]:
    """Take the rows among `ids` that are due and nobody holds: one UPDATE, then read back
    the rows this claim id won."""
    ids = list(ids)
    if not ids:
        return []
    claim = uuid.uuid4().hex
    due = Q(state=DeliveryState.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    expired = Q(state=DeliveryState.SENDING, lease_until__lt=now)
    EmailDelivery.objects.filter(pk__in=ids).filter(due | expired).update(
        state=DeliveryState.SENDING,
        claim=claim,
        lease_until=now + _lease(),
        attempts=F("attempts") + 1,
    )
    return list(EmailDelivery.objects.filter(pk__in=ids, claim=claim).order_by("pk"))


def message_id(key: str) -> str:
    return f"<portevoix.{key.replace(':', '.')}@{mail_domain()}>"


def _headers(delivery: EmailDelivery, unsubscribe_url: str, mailto: str) -> dict[str, str]:
    targets = [f"<{unsubscribe_url}>"]
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "Message-ID": message_id(delivery.key),
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def build_message(
    delivery: EmailDelivery, recipient: Any, renderer: Renderer
) -> EmailMultiAlternatives:
    list_name = EmailList.IMPORTANT if delivery.kind == DeliveryKind.IMPORTANT else EmailList.DIGEST
    rendered = renderer.render(recipient, kind=delivery.kind, list_name=list_name)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=renderer.from_email,
        to=[delivery.email],
        headers=_headers(delivery, rendered.unsubscribe_url, renderer.unsubscribe_mailto),
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def _send_claimed(
    run: DigestRun,
    claimed: list[EmailDelivery],
    recipients: dict[int, Any],
    *,
    now: dt.datetime,
    connection: Any = None,
) -> tuple[int, int]:
    if not claimed:
        return 0, 0
    blocked = selectors.suppressed(d.email for d in claimed)
    name, _language = account_selectors.organization_mail_facts(run.organization_id)
    renderer = Renderer(organization_id=run.organization_id, organization_name=name)
    connection = connection or get_connection()
    sent = failed = 0
    lease_until = claimed[0].lease_until or now
    lease = _lease()
    with connection:
        for delivery in claimed:
            recipient = recipients.get(delivery.membership_id)
            if delivery.email.lower() in blocked:
                _finish(delivery, DeliveryState.SUPPRESSED)
                continue
            if recipient is None:  # withdrew, unsubscribed, or shared everything since
                _finish(delivery, DeliveryState.SKIPPED)
                continue
            current = clock.now()
            if current > lease_until - lease / 2:
                lease_until = current + lease
                EmailDelivery.objects.filter(
                    claim=delivery.claim, state=DeliveryState.SENDING
                ).update(lease_until=lease_until)
            try:
                connection.send_messages([build_message(delivery, recipient, renderer)])
            except Exception as exc:  # any SMTP or network error: retried with backoff
                failed += 1
                _failed(delivery, exc, current)
                continue
            sent += 1
            _mark_sent(delivery)
    return sent, failed


_MARK_SENT = (
    "UPDATE {table} SET state = %s, sent_at = %s, claim = '', lease_until = NULL"
    " WHERE id = %s AND claim = %s"
)


def _mark_sent(delivery: EmailDelivery) -> None:
    """Right after the server accepted it. One prepared statement, not an ORM update: a
    digest run marks 100,000 rows one by one (each its own commit, so a crash loses at
    most the mark of the message in flight), and the ORM's query building was most of it."""
    sql = _MARK_SENT.format(table=EmailDelivery._meta.db_table)
    with connections[EmailDelivery.objects.db].cursor() as cursor:
        cursor.execute(sql, [DeliveryState.SENT, clock.now(), delivery.pk, delivery.claim])


def _finish(delivery: EmailDelivery, state: str) -> None:
    EmailDelivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
        state=state, claim="", lease_until=None
    )


def _failed(delivery: EmailDelivery, exc: Exception, now: dt.datetime) -> None:
    final = delivery.attempts >= MAX_ATTEMPTS
    EmailDelivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
        state=DeliveryState.FAILED if final else DeliveryState.PENDING,
        next_attempt_at=None if final else now + backoff(delivery.attempts),
        last_error=type(exc).__name__[:80],
        claim="",
        lease_until=None,
    )
    logger.warning(
        "email_send_failed",
        extra={
            "organization_id": delivery.organization_id,
            "delivery": delivery.pk,
            "attempts": delivery.attempts,
            "error": type(exc).__name__,
            "final": final,
        },
    )


def deliveries_send(
    *, delivery_ids: list[int], now: dt.datetime | None = None, connection: Any = None
) -> int:
    """Send again (retry, or after a worker died) deliveries of one run: their contents are
    read again, so someone who withdrew, unsubscribed or shared everything since is skipped."""
    now = now or clock.now()
    claimed = _claim(delivery_ids, now)
    total = 0
    by_run: dict[int, list[EmailDelivery]] = {}
    for delivery in claimed:
        by_run.setdefault(delivery.run_id or 0, []).append(delivery)
    for run_id, group in by_run.items():
        run = DigestRun.objects.filter(pk=run_id).first()
        if run is None:
            for delivery in group:
                _finish(delivery, DeliveryState.SKIPPED)
            continue
        rows = account_selectors.ambassador_mail_rows(
            organization_id=run.organization_id,
            ids=[d.membership_id for d in group],
            limit=len(group),
        )
        recipients = {r.membership_id: r for r in _recipients(run, rows, now)}
        sent, _failed_count = _send_claimed(run, group, recipients, now=now, connection=connection)
        total += sent
    return total


def mail_resume(
    *, now: dt.datetime | None = None, queue: Callable[[list[int]], None] | None = None
) -> int:
    """The periodic check: retries that are due, rows left by a worker that died (lease
    expired, or pending and untouched for a lease), and runs that stopped moving."""
    now = now or clock.now()
    stale = now - _lease()
    due = (
        Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        | Q(state=DeliveryState.PENDING, next_attempt_at__isnull=True, created_at__lt=stale)
        | Q(state=DeliveryState.SENDING, lease_until__lt=now)
    )
    ids = list(
        EmailDelivery.objects.filter(due)
        .order_by("run_id", "pk")
        .values_list("pk", flat=True)[:50_000]
    )
    send = queue or _queue_send
    for start in range(0, len(ids), BATCH_SIZE):
        send(ids[start : start + BATCH_SIZE])
    runs = list(
        DigestRun.objects.filter(finished_at__isnull=True, touched_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    for run_id in runs:
        DigestRun.objects.filter(pk=run_id).update(touched_at=now)
        _queue_next(run_id)
    return len(ids) + len(runs)


def _queue_send(ids: list[int]) -> None:
    from .tasks import mail_send

    mail_send(ids)


# --------------------------------------------------------------------------- schedule


def digests_due(*, now: dt.datetime | None = None) -> int:
    """Hourly: each organization whose digest hour it is (its schedule, in its time zone)
    starts its daily run, and on its day its weekly run (each once per period)."""
    from .schedule import local_now_and_schedule

    now = now or clock.now()
    started = 0
    for organization_id in account_selectors.organizations_with_ambassadors():
        local, weekday, hour = local_now_and_schedule(organization_id, now)
        if local.hour != hour:
            continue
        frequencies = [DigestFrequency.DAILY]
        if local.weekday() == weekday:
            frequencies.append(DigestFrequency.WEEKLY)
        for frequency in frequencies:
            if digest_run_start(
                organization_id=organization_id, frequency=frequency, local_now=local, now=now
            ):
                started += 1
    return started


# The members' choices, one-click unsubscribe, bounces: writes of their own module.
from .choices import email_preferences_update, email_suppress, email_unsubscribe  # noqa: E402

__all__ = ["email_preferences_update", "email_suppress", "email_unsubscribe"]
