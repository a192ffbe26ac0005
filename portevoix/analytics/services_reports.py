"""Scheduled sending of the reports: the schedules (set by `report.manage`), the due check
and the deliveries, each sent once.

- A schedule per organization and kind: on or off, the weekday (weekly) or day of the
  month (monthly) and the hour (in TIME_ZONE), and its recipients, chosen among the
  organization's active members who may read its analytics (`analytics.view_org`).
- `reports_prepare_due` (the hourly task): for every schedule switched on whose sending
  moment for the last full period has passed, one `ReportDelivery` row per recipient,
  unique per (schedule, period, recipient): running it twice, or on two workers, adds
  nothing. It answers the deliveries waiting to be sent, retries whose time came included.
- `report_delivery_send`: claims the delivery (a conditional UPDATE, pending -> sending),
  so that two workers never both send it; builds the report in the recipient's language
  (theirs, else the organization's) with the PDF attached, HTML and plain-text parts,
  through Django's EMAIL_BACKEND. A failure puts it back to wait with a backoff (1 h,
  2 h, 4 h, 8 h), then marks it failed after `MAX_ATTEMPTS`; the schedule page shows it.
  A recipient who left or lost the right to read analytics is skipped, not sent to.
- A worker killed between the SMTP handoff and the status update leaves a "sending" row:
  after `STALE_AFTER` it is tried again (the only case where a message may go twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from . import report_render
from .models import DeliveryStatus, ReportDelivery, ReportSchedule
from .selectors import reports as report_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(hours=1)
STALE_AFTER = dt.timedelta(hours=1)
# A schedule switched on late sends the last period only, never older ones.
MAX_RECIPIENTS = 200
ADDRESS = re.compile(r"[^\s<>'\"(),;]+@[^\s<>'\"(),;]+")


@dataclass(frozen=True)
class ScheduleData:
    enabled: bool
    weekday: int
    day: int
    hour: int
    recipient_ids: list[int]


def _fail(field: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field: [message]})


def _as_dict(schedule: ReportSchedule, recipients: list[int]) -> dict[str, Any]:
    return {
        "enabled": schedule.enabled,
        "weekday": schedule.weekday,
        "day": schedule.day,
        "hour": schedule.hour,
        "recipients": sorted(recipients),
    }


def report_schedule_set(*, actor: Membership, kind: str, data: ScheduleData) -> ReportSchedule:
    """Set the schedule of `kind` (`report.manage`); an audit row records the change."""
    require(actor, "report.manage")
    if not 0 <= data.weekday <= 6:
        raise _fail("weekday", _("Choose a day of the week."))
    if not 1 <= data.day <= 28:
        raise _fail("day", _("Choose a day from 1 to 28."))
    if not 0 <= data.hour <= 23:
        raise _fail("hour", _("Choose an hour from 0 to 23."))
    org = actor.organization_id
    allowed = {m.pk for m in report_selectors.eligible_recipients(organization_id=org)}
    wanted = sorted(set(data.recipient_ids))
    if len(wanted) > MAX_RECIPIENTS:
        raise _fail("recipients", _("At most %(n)s recipients.") % {"n": MAX_RECIPIENTS})
    if any(pk not in allowed for pk in wanted):
        raise _fail(
            "recipients", _("Recipients must be members who may read the organization's figures.")
        )
    if data.enabled and not wanted:
        raise _fail("recipients", _("Choose at least one recipient."))
    with transaction.atomic():
        schedule = report_selectors.schedule_of(organization_id=org, kind=kind)
        schedule = scoped(ReportSchedule, org).select_for_update().get(pk=schedule.pk)
        before = _as_dict(schedule, list(schedule.recipients.values_list("pk", flat=True)))
        schedule.enabled = data.enabled
        schedule.weekday, schedule.day, schedule.hour = data.weekday, data.day, data.hour
        schedule.updated_at = clock.now()
        schedule.save(update_fields=["enabled", "weekday", "day", "hour", "updated_at"])
        schedule.recipients.set(wanted)
        after = _as_dict(schedule, wanted)
        if after != before:
            gates.audit_record(
                organization=actor.organization,
                actor=actor,
                action="analytics.report_schedule_changed",
                object_type="analytics.report_schedule",
                object_id=schedule.pk,
                before=before,
                after=after,
            )
    return schedule


# --- Due check and sending


def send_moment(schedule: ReportSchedule, period: report_selectors.Period) -> dt.datetime:
    """When the report of `period` goes out: the schedule's weekday (or day of the month)
    after the period ends, at its hour, in the platform's time zone."""
    after = period.end + dt.timedelta(days=1)
    if period.kind == report_selectors.WEEKLY:
        day = after + dt.timedelta(days=(schedule.weekday - after.weekday()) % 7)
    else:
        day = after.replace(day=schedule.day)
    naive = dt.datetime.combine(day, dt.time(schedule.hour))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def reports_prepare_due(*, now: dt.datetime | None = None) -> list[int]:
    """Create the deliveries that are due (once each) and answer the ids of those waiting
    to be sent now (new ones and retries whose time came, stale claims included)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    schedules = ReportSchedule.objects.filter(enabled=True).prefetch_related("recipients")
    for schedule in schedules:
        period = report_selectors.last_full(schedule.kind, today)
        if now < send_moment(schedule, period):
            continue
        existing = set(
            scoped(ReportDelivery, schedule.organization_id)
            .filter(schedule=schedule, period_start=period.start)
            .values_list("recipient_id", flat=True)
        )
        rows = [
            ReportDelivery(
                organization_id=schedule.organization_id,
                schedule=schedule,
                period_start=period.start,
                recipient=member,
                next_attempt_at=now,
                created_at=now,
            )
            for member in schedule.recipients.all()
            if member.pk not in existing
        ]
        # A second worker may have added the same rows meanwhile: the unique key keeps one.
        ReportDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    )
    return list(ReportDelivery.objects.filter(due).order_by("pk").values_list("pk", flat=True))


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    waiting = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    )
    claimed = ReportDelivery.objects.filter(waiting, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def _finish(delivery: ReportDelivery, status: str, error: str = "") -> None:
    delivery.status = status
    delivery.last_error = error[:200]
    fields = ["status", "last_error"]
    if status == DeliveryStatus.SENT:
        delivery.sent_at = clock.now()
        fields.append("sent_at")
    if status == DeliveryStatus.PENDING:
        delivery.next_attempt_at = clock.now() + BACKOFF * (2 ** (delivery.attempts - 1))
        fields.append("next_attempt_at")
    delivery.save(update_fields=fields)


def build_email(*, recipient: Membership, report: report_selectors.Report) -> Any:
    """The email of `report` for `recipient`, in the active language."""
    user = account_selectors.user_of(recipient)
    ctx = report_render.context(report)
    path = reverse("analytics:report", args=[report.kind])
    ctx["url"] = f"{settings.SITE_URL}{path}?start={report.period.start:%Y-%m-%d}"
    subject = _("%(report)s: %(start)s to %(end)s") % {
        "report": ctx["title"],
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
    }
    text = render_to_string("analytics/report_email.txt", ctx)
    html = render_to_string("analytics/report_email.html", ctx)
    if user is None:
        raise NotFound("No such recipient.")
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    message.attach(
        report_render.file_name(report, "pdf"), report_render.pdf_bytes(report), "application/pdf"
    )
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    message.extra_headers["Content-Language"] = translation.get_language()
    return message


def report_delivery_send(*, delivery_id: int) -> str:
    """Send one delivery, once (see the module's text); answers its status."""
    now = clock.now()
    if not _claim(delivery_id, now):
        return "not_due"
    delivery = ReportDelivery.objects.select_related("schedule").get(pk=delivery_id)
    org = delivery.organization_id
    try:
        recipient = account_selectors.active_member(organization_id=org, pk=delivery.recipient_id)
    except NotFound:
        recipient = None
    if recipient is None or not can(recipient, "analytics.view_org"):
        _finish(delivery, DeliveryStatus.SKIPPED, "recipient may no longer read the figures")
        return DeliveryStatus.SKIPPED
    language = account_selectors.member_locales(organization_id=org, membership_ids=[recipient.pk])
    with translation.override(language.get(recipient.pk, ("en", ""))[0]):
        try:
            report = report_selectors.report(
                membership=recipient,
                kind=delivery.schedule.kind,
                start=delivery.period_start,
                today=timezone.localdate(now),
            )
            build_email(recipient=recipient, report=report).send()
        except Exception as exc:
            error = ADDRESS.sub("<address>", f"{type(exc).__name__}: {str(exc)[:150]}")
            final = delivery.attempts >= MAX_ATTEMPTS
            _finish(delivery, DeliveryStatus.FAILED if final else DeliveryStatus.PENDING, error)
            logger.warning(
                "report_send_failed",
                extra={"organization_id": org, "delivery_id": delivery.pk, "final": final},
            )
            return delivery.status
    _finish(delivery, DeliveryStatus.SENT)
    return DeliveryStatus.SENT
