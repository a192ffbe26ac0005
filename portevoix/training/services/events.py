"""Coaching sessions and events: authoring, registration with a waiting list, attendance.
The emails (with their iCalendar invitation) and the reminders are in `event_emails`.

Capacity is never exceeded: registration, cancellation and capacity changes lock the event
row (`select_for_update`, see `_db.serialized`) and count the registered people inside that
lock. The waiting list is ranked 1..n without gaps; a freed place goes to rank 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.core.markdown import render_markdown

from .. import signals
from ..models import Event, EventKind, Registration, RegistrationStatus
from ._db import serialized

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# Reminders go out this long before a session starts.
REMINDER_AHEAD = dt.timedelta(hours=24)
MAX_CAPACITY = 100_000
MAX_TITLE = 200
MAX_PLACE = 200
MAX_URL = 500
MAX_TEXT = 100_000

REGISTERED = RegistrationStatus.REGISTERED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


@dataclass
class EventData:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str = EventKind.COACHING
    capacity: int = 20
    description: str = ""
    place: str = ""
    video_url: str = ""
    coach_id: int | None = None


def _in_reminder_window(event: Event, now: dt.datetime) -> bool:
    """Whether a confirmation sent now already serves as the reminder."""
    return event.starts_at - now <= REMINDER_AHEAD


def _clean_event(actor: Membership, data: EventData, event: Event | None) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = [_("Required.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("At most %(max)d characters.") % {"max": MAX_TITLE}]
    if data.kind not in EventKind.values:
        errors["kind"] = [_("Unknown kind of event.")]
    starts, ends = data.starts_at, data.ends_at
    if starts is None or timezone.is_naive(starts):
        errors["starts_at"] = [_("Enter a date and time.")]
    if ends is None or timezone.is_naive(ends):
        errors["ends_at"] = [_("Enter a date and time.")]
    if "starts_at" not in errors and "ends_at" not in errors:
        if ends <= starts:
            errors["ends_at"] = [_("The end comes after the start.")]
        moved = event is None or event.starts_at != starts
        if moved and starts <= clock.now():
            errors["starts_at"] = [_("Choose a date in the future.")]
    capacity = data.capacity
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= MAX_CAPACITY
    ):
        errors["capacity"] = [_("Enter a number from 1 to %(max)d.") % {"max": MAX_CAPACITY}]
    place = (data.place or "").strip()
    if len(place) > MAX_PLACE:
        errors["place"] = [_("At most %(max)d characters.") % {"max": MAX_PLACE}]
    video_url = (data.video_url or "").strip()
    if video_url and (
        not video_url.lower().startswith(("https://", "http://"))
        or len(video_url) > MAX_URL
        or any(ch.isspace() for ch in video_url)
    ):
        errors["video_url"] = [_("Enter a web address starting with https://.")]
    if not place and not video_url and "place" not in errors and "video_url" not in errors:
        errors["place"] = [_("Give a place or a video link.")]
    description = data.description or ""
    if len(description) > MAX_TEXT:
        errors["description"] = [_("At most %(max)d characters.") % {"max": MAX_TEXT}]
    coach = None
    if data.coach_id is not None:
        coach = (
            account_selectors.active_members(organization_id=actor.organization_id)
            .filter(pk=data.coach_id)
            .first()
        )
        if coach is None:
            errors["coach_id"] = [_("Choose a member of the organization.")]
    if errors:
        raise DomainError(_("The event has errors."), field_errors=errors)
    return {
        "title": title,
        "kind": data.kind,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": capacity,
        "place": place,
        "video_url": video_url,
        "description": description,
        "description_html": render_markdown(description),
        "coach": coach,
    }


@transaction.atomic
def event_create(*, actor: Membership, data: EventData) -> Event:
    require(actor, "event.manage")
    values = _clean_event(actor, data, None)
    return Event.objects.create(organization_id=actor.organization_id, created_by=actor, **values)


def event_update(*, actor: Membership, event: Event, data: EventData) -> Event:
    """Edit an event. More places promote the waiting list; fewer places than people
    registered are refused. A new date or place is sent to the registered people."""
    if event.organization_id != actor.organization_id:
        raise NotFound(_("Not found."))
    require(actor, "event.manage", event)
    return _event_update(actor, event.pk, data)


@serialized
def _event_update(actor: Membership, event_id: int, data: EventData) -> Event:
    event = Event.objects.select_for_update().get(pk=event_id)
    values = _clean_event(actor, data, event)
    registered = event.registrations.filter(status=REGISTERED).count()
    if values["capacity"] < registered:  # type: ignore[operator]
        message = _("%(count)d people are registered: the capacity cannot be lower.") % {
            "count": registered
        }
        raise Conflict(message, field_errors={"capacity": [message]})
    rescheduled = values["starts_at"] != event.starts_at or values["ends_at"] != event.ends_at
    moved = rescheduled or values["place"] != event.place or values["video_url"] != event.video_url
    for name, value in values.items():
        setattr(event, name, value)
    if moved:
        event.sequence += 1
    event.save(update_fields=[*values, "sequence", "updated_at"])
    now = clock.now()
    if rescheduled:
        # The reminder is due again for the new date (now, if that is within the window).
        event.registrations.filter(status=REGISTERED).update(reminded_at=None)
    promoted = _promote(event, now)
    if moved:
        others = event.registrations.filter(status=REGISTERED).exclude(pk__in=promoted)
        _queue_emails([(pk, "updated") for pk in others.values_list("pk", flat=True)])
    _queue_emails([(pk, "promoted") for pk in promoted])
    return event


# --- Registration


def _promote(event: Event, now: dt.datetime) -> list[int]:
    """Fill free places from the head of the waiting list; returns the promoted ids."""
    free = event.capacity - event.registrations.filter(status=REGISTERED).count()
    if free <= 0:
        return []
    ids = list(
        event.registrations.filter(status=WAITLISTED)
        .order_by("position", "id")
        .values_list("pk", flat=True)[:free]
    )
    if not ids:
        return []
    event.registrations.filter(pk__in=ids).update(
        status=REGISTERED,
        position=None,
        updated_at=now,
        reminded_at=now if _in_reminder_window(event, now) else None,
    )
    event.registrations.filter(status=WAITLISTED).update(position=F("position") - len(ids))
    return ids


def _queue_emails(pairs: list[tuple[int, str]]) -> None:
    if not pairs:
        return

    def send() -> None:
        from ..tasks import send_registration_email

        for registration_id, kind in pairs:
            send_registration_email(registration_id, kind)

    transaction.on_commit(send)


def registration_create(
    *, membership: Membership, event: Event, notify: bool = True
) -> Registration:
    """Register `membership`, or put them on the waiting list when the event is full.
    Registering again while registered or waitlisted changes nothing."""
    if event.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    require(membership, "event.register", event)
    return _register(membership, event.pk, notify)


@serialized
def _register(membership: Membership, event_id: int, notify: bool) -> Registration:
    event = Event.objects.select_for_update().get(pk=event_id)
    now = clock.now()
    if event.starts_at <= now:
        raise Conflict(_("This session has already started."))
    if event.coach_id == membership.pk:
        raise Conflict(_("You coach this session."))
    registration = Registration.objects.filter(event=event, membership=membership).first()
    if registration is not None and registration.status != CANCELLED:
        return registration
    registered = event.registrations.filter(status=REGISTERED).count()
    if registered < event.capacity:
        status, position = REGISTERED, None
    else:
        status = WAITLISTED
        position = event.registrations.filter(status=WAITLISTED).count() + 1
    creating = registration is None
    if registration is None:
        registration = Registration(
            organization_id=event.organization_id,
            event=event,
            membership=membership,
            created_at=now,
        )
    registration.status = status
    registration.position = position
    registration.updated_at = now
    registration.attended = None
    registration.attendance_marked_at = None
    in_window = status == REGISTERED and _in_reminder_window(event, now)
    registration.reminded_at = now if in_window else None
    if creating:
        registration.save()
    else:
        registration.save(
            update_fields=[
                "status",
                "position",
                "updated_at",
                "attended",
                "attendance_marked_at",
                "reminded_at",
            ]
        )
    if notify:
        _queue_emails([(registration.pk, str(status.value))])
    return registration


def registration_cancel(
    *, membership: Membership, event: Event, notify: bool = True
) -> Registration:
    """Cancel one's registration (or leave the waiting list). A freed place goes to the
    first person on the waiting list, who is told by email."""
    if event.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    require(membership, "event.register", event)
    return _cancel(membership, event.pk, notify)


@serialized
def _cancel(membership: Membership, event_id: int, notify: bool) -> Registration:
    event = Event.objects.select_for_update().get(pk=event_id)
    now = clock.now()
    registration = (
        Registration.objects.filter(event=event, membership=membership)
        .exclude(status=CANCELLED)
        .first()
    )
    if registration is None:
        raise Conflict(_("You are not registered for this session."))
    if event.starts_at <= now:
        raise Conflict(_("This session has already started."))
    was, rank = registration.status, registration.position
    registration.status = CANCELLED
    registration.position = None
    registration.updated_at = now
    registration.save(update_fields=["status", "position", "updated_at"])
    promoted: list[int] = []
    if was == WAITLISTED and rank is not None:
        event.registrations.filter(status=WAITLISTED, position__gt=rank).update(
            position=F("position") - 1
        )
    else:
        promoted = _promote(event, now)
    if notify:
        mails = [(registration.pk, "cancelled")] if was == REGISTERED else []
        _queue_emails(mails + [(pk, "promoted") for pk in promoted])
    return registration


# --- Attendance


@transaction.atomic
def attendance_mark(*, actor: Membership, event: Event, attended_ids: Collection[int]) -> int:
    """The coach of the session marks who came (registration ids); the others are marked
    absent. Returns how many attended."""
    if event.organization_id != actor.organization_id:
        raise NotFound(_("Not found."))
    require(actor, "event.coach", event)
    if event.coach_id != actor.pk:
        raise PermissionDenied(_("Only the coach of the session marks attendance."))
    now = clock.now()
    if now < event.starts_at:
        raise Conflict(_("Attendance is marked once the session has started."))
    registered = event.registrations.filter(status=REGISTERED)
    known = set(registered.values_list("pk", flat=True))
    chosen = set(attended_ids)
    if not chosen <= known:
        raise DomainError(
            _("Unknown participant."), field_errors={"attended": [_("Unknown participant.")]}
        )
    people = dict(registered.values_list("pk", "membership_id"))
    registered.filter(pk__in=chosen).update(attended=True, attendance_marked_at=now)
    registered.exclude(pk__in=chosen).update(attended=False, attendance_marked_at=now)
    signals.attendance_marked.send(
        sender=Event,
        organization_id=event.organization_id,
        event_id=event.pk,
        at=now,
        attended=sorted(people[pk] for pk in chosen),
        absent=sorted(m for pk, m in people.items() if pk not in chosen),
    )
    return len(chosen)
