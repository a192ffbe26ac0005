"""Registration emails with their iCalendar invitation, and the 24-hour reminders."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.core import clock

from .. import ics
from ..models import Event, Registration
from .events import CANCELLED, REGISTERED, REMINDER_AHEAD, WAITLISTED

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)

REMINDER_BATCH = 500

# Email kinds: which carry the calendar invitation.
EMAIL_KINDS = ("registered", "waitlisted", "promoted", "cancelled", "updated", "reminder")
WITH_INVITATION = {"registered", "promoted", "updated", "reminder"}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def calendar_text(
    event: Event, *, recipient: Membership | None = None, cancelled: bool = False
) -> str:
    """The event as an .ics invitation (see `ics`)."""
    if event.coach is not None:
        organizer_name, organizer_email = event.coach.user.display_name, event.coach.user.email
    else:
        organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    url = settings.SITE_URL + reverse("training:event", args=[event.pk])
    description = event.description
    if event.video_url:
        description = f"{event.video_url}\n\n{description}".strip()
    description = f"{description}\n\n{url}".strip()
    return ics.calendar(
        ics.CalendarEvent(
            uid=f"portevoix-event-{event.pk}@{_host()}",
            sequence=event.sequence,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            summary=event.title,
            description=description,
            location=event.place or event.video_url,
            url=event.video_url or url,
            organizer_name=organizer_name,
            organizer_email=organizer_email,
            attendee_name=recipient.user.display_name if recipient else "",
            attendee_email=recipient.user.email if recipient else "",
            cancelled=cancelled,
        ),
        stamp=clock.now(),
    )


def _when(event: Event) -> str:
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    same_day = start.date() == end.date()
    end_text = date_format(end, "TIME_FORMAT" if same_day else "DATETIME_FORMAT")
    return f"{date_format(start, 'DATETIME_FORMAT')} – {end_text} ({start.tzname()})"  # noqa: RUF001


def _compose(kind: str, registration: Registration) -> tuple[str, str]:
    event = registration.event
    values = {
        "title": event.title,
        "when": _when(event),
        "where": event.place or event.video_url,
        "url": settings.SITE_URL + reverse("training:event", args=[event.pk]),
        "position": registration.position or 0,
        "org": registration.organization.name,
    }
    subjects = {
        "registered": _("You are registered: %(title)s"),
        "waitlisted": _("Waiting list: %(title)s"),
        "promoted": _("A place freed up: you are registered for %(title)s"),
        "cancelled": _("Registration cancelled: %(title)s"),
        "updated": _("Changed: %(title)s"),
        "reminder": _("Tomorrow: %(title)s"),
    }
    intros = {
        "registered": _("You are registered for “%(title)s”."),
        "waitlisted": _(
            "“%(title)s” is full: you are number %(position)s on the waiting list. "
            "If a place frees up, you will be registered and told by email."
        ),
        "promoted": _("A place freed up: you are now registered for “%(title)s”."),
        "cancelled": _("Your registration for “%(title)s” is cancelled."),
        "updated": _("“%(title)s” has changed: here are the new details."),
        "reminder": _("A reminder: “%(title)s” starts soon."),
    }
    lines = [
        intros[kind] % values,
        "",
        _("When: %(when)s") % values,
        _("Where: %(where)s") % values,
        "",
        _("Details and cancellation: %(url)s") % values,
    ]
    if kind in WITH_INVITATION:
        lines += ["", _("The attached invitation adds the session to your calendar.")]
    lines += ["", _("— %(org)s, on Portevoix") % values]
    return subjects[kind] % values, "\n".join(lines)


def _message_id(kind: str, registration: Registration) -> str:
    # The email's unique key: the same message sent twice carries the same id.
    stamp = int(registration.updated_at.timestamp())
    if kind == "reminder":
        stamp = registration.event.sequence
    return f"<portevoix.{kind}.{registration.pk}.{stamp}@{_host()}>"


def _email(kind: str, registration: Registration) -> EmailMessage:
    user = registration.membership.user
    language = user.language or registration.organization.default_language
    with override(language):
        subject, body = _compose(kind, registration)
    message = EmailMessage(
        subject, body, to=[user.email], headers={"Message-ID": _message_id(kind, registration)}
    )
    if kind in WITH_INVITATION:
        message.attach("invitation.ics", calendar_text(registration.event), "text/calendar")
    elif kind == "cancelled":
        text = calendar_text(registration.event, recipient=registration.membership, cancelled=True)
        message.attach("cancellation.ics", text, "text/calendar")
    return message


def _registration_for_email(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related(
            "event__coach__user", "membership__user", "organization"
        )
        .filter(pk=registration_id)
        .first()
    )


def registration_email_send(*, registration_id: int, kind: str) -> bool:
    """Send one registration email (run by the queue). Skipped when the registration has
    changed since (a cancelled person gets no confirmation)."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    registration = _registration_for_email(registration_id)
    if registration is None:
        return False
    expected = {
        "registered": REGISTERED,
        "promoted": REGISTERED,
        "updated": REGISTERED,
        "reminder": REGISTERED,
        "waitlisted": WAITLISTED,
        "cancelled": CANCELLED,
    }[kind]
    if registration.status != expected:
        return False
    _email(kind, registration).send()
    return True


def event_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email each registered person once, within 24 hours of the start, with the invitation.

    Each reminder is claimed first (`reminded_at` set where it was empty: one writer wins),
    then sent; a failed send releases the claim so that the next run tries again.
    """
    now = now or clock.now()
    due = Registration.objects.filter(
        status=REGISTERED,
        reminded_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_AHEAD,
    ).order_by("event__starts_at", "id")
    sent = 0
    for registration_id in list(due.values_list("pk", flat=True)[:REMINDER_BATCH]):
        claimed = Registration.objects.filter(
            pk=registration_id, status=REGISTERED, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            continue
        registration = _registration_for_email(registration_id)
        if registration is None:  # pragma: no cover - deleted in between
            continue
        try:
            _email("reminder", registration).send()
        except Exception:
            Registration.objects.filter(pk=registration_id, reminded_at=now).update(
                reminded_at=None
            )
            logger.exception(
                "event_reminder_failed",
                extra={
                    "organization_id": registration.organization_id,
                    "registration_id": registration_id,
                },
            )
            continue
        sent += 1
    return sent
