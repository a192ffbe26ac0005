"""The API's training area, continued: events (list, create, edit, participants, attendance,
register, cancel). Split from training/api.py; config/api.py mounts both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from portevoix.core.api_support import DbId, responses
from portevoix.core.errors import PermissionDenied

from . import selectors, services
from .api import (
    AttendanceIn,
    AttendanceOut,
    EventIn,
    EventOut,
    ParticipantOut,
    _event_out,
    _membership,
)
from .models import (
    RegistrationStatus,
)

if TYPE_CHECKING:
    pass

router = Router(tags=["training"])


# --- Events


@router.get("/events", response=responses({200: list[EventOut]}), tags=["events"])
def event_list(request: HttpRequest) -> list[EventOut]:
    """Events that have not ended yet, soonest first, with the caller's registration."""
    return [_event_out(row) for row in selectors.upcoming_events(membership=_membership(request))]


def _event_data(payload: EventIn) -> services.EventData:
    return services.EventData(
        title=payload.title,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        description=payload.description,
        place=payload.place,
        video_url=payload.video_url,
        coach_id=payload.coach_id,
    )


@router.post("/events", response=responses({201: EventOut}), tags=["events"])
def event_create(request: HttpRequest, payload: EventIn) -> Status[EventOut]:
    """Create an event (`event.manage`: training managers, admins)."""
    membership = _membership(request)
    event = services.event_create(actor=membership, data=_event_data(payload))
    return Status(201, _event_out(selectors.event_row(membership=membership, pk=event.pk)))


@router.put("/events/{event_id}", response=responses({200: EventOut}), tags=["events"])
def event_update(request: HttpRequest, event_id: DbId, payload: EventIn) -> EventOut:
    """Replace the event (`event.manage`). A larger capacity moves people up from the
    waiting list, as on the page."""
    membership = _membership(request)
    event = selectors.event_to_manage(membership=membership, pk=event_id)
    services.event_update(actor=membership, event=event, data=_event_data(payload))
    return _event_out(selectors.event_row(membership=membership, pk=event_id))


@router.get(
    "/events/{event_id}/participants",
    response=responses({200: list[ParticipantOut]}),
    tags=["events"],
)
def event_participants(request: HttpRequest, event_id: DbId) -> list[ParticipantOut]:
    """Registered people, then the waiting list in rank order (managers and the coach)."""
    membership = _membership(request)
    event = selectors.event_for_member(membership=membership, pk=event_id)
    if not selectors.can_see_participants(membership, event):
        raise PermissionDenied(_("Only the managers and the coach see the participants."))
    return [
        ParticipantOut(
            registration_id=r.pk,
            member_id=r.membership_id,
            name=r.membership.user.display_name,
            status=r.status,
            position=r.position,
            attended=r.attended,
        )
        for r in selectors.event_participants(event=event)
    ]


@router.post(
    "/events/{event_id}/attendance", response=responses({200: AttendanceOut}), tags=["events"]
)
def event_attendance(request: HttpRequest, event_id: DbId, payload: AttendanceIn) -> AttendanceOut:
    """The coach of the session marks who came (registration ids; the others are marked
    absent), once it has started."""
    membership = _membership(request)
    event = selectors.event_for_member(membership=membership, pk=event_id)
    attended = services.attendance_mark(
        actor=membership, event=event, attended_ids=list(payload.attended_ids)
    )
    registered = sum(
        1
        for r in selectors.event_participants(event=event)
        if r.status == RegistrationStatus.REGISTERED
    )
    return AttendanceOut(attended=attended, registered=registered)


@router.post("/events/{event_id}/register", response=responses({200: EventOut}), tags=["events"])
def event_register(request: HttpRequest, event_id: DbId) -> EventOut:
    """Register, or join the waiting list when the event is full (idempotent)."""
    membership = _membership(request)
    event = selectors.event_for_member(membership=membership, pk=event_id)
    services.registration_create(membership=membership, event=event)
    return _event_out(selectors.event_row(membership=membership, pk=event.pk))


@router.post("/events/{event_id}/cancel", response=responses({200: EventOut}), tags=["events"])
def event_cancel(request: HttpRequest, event_id: DbId) -> EventOut:
    """Cancel one's registration or leave the waiting list; a freed place goes to the first
    person waiting."""
    membership = _membership(request)
    event = selectors.event_for_member(membership=membership, pk=event_id)
    services.registration_cancel(membership=membership, event=event)
    return _event_out(selectors.event_row(membership=membership, pk=event.pk))
