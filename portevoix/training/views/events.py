"""Coaching sessions and events: list, detail, registration, authoring, attendance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import AttendanceForm, EventForm
from ..models import Event, RegistrationStatus

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def events(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "training/events.html",
        {
            "upcoming": selectors.upcoming_events(membership=membership),
            "past": selectors.past_events(membership=membership),
            "can_manage": can(membership, "event.manage"),
        },
    )


@member_view
@require_http_methods(["GET"])
def event_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    row = selectors.event_row(membership=membership, pk=pk)
    event = row.event
    sees_participants = selectors.can_see_participants(membership, event)
    now = clock.now()
    return render(
        request,
        "training/event.html",
        {
            "row": row,
            "event": event,
            "participants": selectors.event_participants(event=event)
            if sees_participants
            else None,
            "can_manage": can(membership, "event.manage", event),
            "is_coach": event.coach_id == membership.pk,
            "started": event.starts_at <= now,
            "statuses": RegistrationStatus,
        },
    )


@member_view
@require_POST
def event_register(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    event = selectors.event_for_member(membership=membership, pk=pk)
    try:
        registration = services.registration_create(membership=membership, event=event)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        if registration.status == RegistrationStatus.REGISTERED:
            messages.success(
                request, _("You are registered. The invitation is on its way to your inbox.")
            )
        else:
            messages.info(
                request,
                _("The session is full: you are number %(n)d on the waiting list.")
                % {"n": registration.position or 0},
            )
    return redirect("training:event", pk=event.pk)


@member_view
@require_POST
def event_cancel(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    event = selectors.event_for_member(membership=membership, pk=pk)
    try:
        services.registration_cancel(membership=membership, event=event)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("training:event", pk=event.pk)


@member_view
@require_http_methods(["GET"])
def event_calendar(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The event as an .ics file, to add it to one's calendar."""
    event = selectors.event_for_member(membership=membership, pk=pk)
    response = HttpResponse(
        services.calendar_text(event), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _event_form_page(request: HttpRequest, form: EventForm, event: Event | None) -> HttpResponse:
    return render(
        request,
        "training/event_form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


@member_view
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "event.manage")
    form = EventForm(
        request.POST if request.method == "POST" else None,
        coaches=selectors.coach_choices(membership=membership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=membership, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Event created."))
            return redirect("training:event", pk=event.pk)
    return _event_form_page(request, form, None)


@member_view
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    event = selectors.event_to_manage(membership=membership, pk=pk)
    form = EventForm(
        request.POST if request.method == "POST" else None,
        coaches=selectors.coach_choices(membership=membership),
        initial=EventForm.initial_for(event),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=membership, event=event, data=form.to_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
            event.refresh_from_db()
        else:
            messages.success(request, _("Event saved."))
            return redirect("training:event", pk=event.pk)
    return _event_form_page(request, form, event)


@member_view
@require_http_methods(["GET", "POST"])
def event_attendance(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """The coach ticks who came."""
    event = selectors.event_for_member(membership=membership, pk=pk)
    require(membership, "event.coach", event)
    if event.coach_id != membership.pk:
        raise PermissionDenied(_("Only the coach of the session marks attendance."))
    registered = [
        r
        for r in selectors.event_participants(event=event)
        if r.status == RegistrationStatus.REGISTERED
    ]
    initial = {"attended": [str(r.pk) for r in registered if r.attended]}
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        registrations=registered,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.attendance_mark(
                actor=membership, event=event, attended_ids=form.attended_ids()
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Attendance saved: %(count)d of %(total)d present.")
                % {"count": count, "total": len(registered)},
            )
            return redirect("training:event", pk=event.pk)
    return render(
        request,
        "training/attendance.html",
        {
            "event": event,
            "form": form,
            "registered": registered,
            "started": event.starts_at <= clock.now(),
        },
        status=400 if form.errors else 200,
    )
