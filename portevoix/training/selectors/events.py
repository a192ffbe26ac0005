"""Reads about coaching sessions and events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.tenancy import get_scoped_or_404, scoped

from ..models import Event, Registration, RegistrationStatus

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass
class EventRow:
    event: Event
    registered: int
    waitlisted: int
    mine: Registration | None

    @property
    def places_left(self) -> int:
        return max(self.event.capacity - self.registered, 0)


def _event_rows(membership: Membership, qs: QuerySet[Event], limit: int) -> list[EventRow]:
    events = list(
        qs.select_related("coach__user").annotate(
            registered_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waitlisted_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )[:limit]
    )
    mine = {
        r.event_id: r
        for r in Registration.objects.filter(
            membership=membership, event_id__in=[e.pk for e in events]
        ).exclude(status=RegistrationStatus.CANCELLED)
    }
    return [
        EventRow(
            event=e,
            registered=e.registered_count,
            waitlisted=e.waitlisted_count,
            mine=mine.get(e.pk),
        )
        for e in events
    ]


def upcoming_events(*, membership: Membership, limit: int = 100) -> list[EventRow]:
    """Events that have not ended yet, soonest first. Two queries."""
    require(membership, "event.register")
    qs = scoped(Event, membership.organization_id).filter(ends_at__gt=clock.now())
    return _event_rows(membership, qs.order_by("starts_at", "id"), limit)


def past_events(*, membership: Membership, limit: int = 20) -> list[EventRow]:
    """Recent past events, most recent first."""
    require(membership, "event.register")
    qs = scoped(Event, membership.organization_id).filter(ends_at__lte=clock.now())
    return _event_rows(membership, qs.order_by("-starts_at", "-id"), limit)


def event_row(*, membership: Membership, pk: int) -> EventRow:
    require(membership, "event.register")
    get_scoped_or_404(Event, membership.organization_id, pk=pk)  # 404 first, then the row
    return _event_rows(membership, scoped(Event, membership.organization_id).filter(pk=pk), 1)[0]


def event_for_member(*, membership: Membership, pk: int) -> Event:
    require(membership, "event.register")
    return get_scoped_or_404(
        Event.objects.select_related("coach__user"), membership.organization_id, pk=pk
    )


def event_to_manage(*, membership: Membership, pk: int) -> Event:
    require(membership, "event.manage")
    return get_scoped_or_404(
        Event.objects.select_related("coach__user"), membership.organization_id, pk=pk
    )


def can_see_participants(membership: Membership, event: Event) -> bool:
    return can(membership, "event.manage", event) or event.coach_id == membership.pk


def event_participants(*, event: Event) -> list[Registration]:
    """Registered people then the waiting list in rank order (managers and the coach)."""
    return list(
        event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("membership__user")
        .order_by(F("position").asc(nulls_first=True), "created_at", "id")
    )


def coach_choices(*, membership: Membership) -> QuerySet[Membership]:
    return account_selectors.active_members(organization_id=membership.organization_id)


# --- Reads offered to other apps (no permission check: the caller has authorized)


def registrations_starting(
    *, after: dt.datetime, until: dt.datetime, limit: int = 2000
) -> list[Registration]:
    """Confirmed registrations (not waitlisted, not cancelled) of every organization for
    events starting in (`after`, `until`], with their event, soonest first."""
    return list(
        Registration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            event__starts_at__gt=after,
            event__starts_at__lte=until,
        )
        .select_related("event")
        .order_by("event__starts_at", "id")[:limit]
    )


def events_between(
    *, organization_id: int, start: dt.datetime, end: dt.datetime, limit: int = 200
) -> list[Event]:
    """Sessions and events that meet [start, end), by start (the content calendar)."""
    return list(
        scoped(Event, organization_id)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "id")[:limit]
    )


def event_coach_id(*, organization_id: int, event_id: int) -> int | None:
    """The membership id of the session's coach, or None (recognition's speaker badge)."""
    return (
        scoped(Event, organization_id)
        .filter(pk=event_id)
        .values_list("coach_id", flat=True)
        .first()
    )
