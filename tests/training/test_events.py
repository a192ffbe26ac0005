"""Events: capacity and waiting list, cancellation and promotion, emails, attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.training import services
from portevoix.training.models import Registration
from tests import factories
from tests.training.conftest import make_event

pytestmark = pytest.mark.django_db


def people(org, n):
    return [factories.make_member(org) for _i in range(n)]


def states(event):
    return [
        (r.membership_id, r.status, r.position)
        for r in Registration.objects.filter(event=event).order_by("id")
    ]


def test_only_event_managers_create_events(admin, member, org):
    community = factories.make_member(org, "community_manager")
    make_event(admin)
    make_event(community)
    with pytest.raises(PermissionDenied):
        make_event(member)


def test_event_fields_are_validated(admin, other_org):
    foreign = factories.make_member(other_org)
    with pytest.raises(DomainError) as exc:
        make_event(
            admin,
            capacity=0,
            place="",
            video_url="javascript:alert(1)",
            title="",
            coach=foreign,
            starts_in=dt.timedelta(days=-1),
        )
    assert {"capacity", "video_url", "title", "coach_id", "starts_at"} <= set(
        exc.value.field_errors
    )
    with pytest.raises(DomainError) as exc:
        make_event(admin, place="", video_url="")
    assert "place" in exc.value.field_errors
    start = make_event(admin).starts_at
    with pytest.raises(DomainError) as exc:
        make_event(admin, ends_at=start - dt.timedelta(days=1))
    assert "ends_at" in exc.value.field_errors


def test_capacity_then_waiting_list_in_order(admin, org):
    event = make_event(admin, capacity=2)
    a, b, c, d = people(org, 4)
    results = [services.registration_create(membership=m, event=event) for m in (a, b, c, d)]
    assert [(r.status, r.position) for r in results] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    # Registering again changes nothing.
    again = services.registration_create(membership=c, event=event)
    assert (again.pk, again.status, again.position) == (results[2].pk, "waitlisted", 1)
    assert Registration.objects.filter(event=event).count() == 4


def test_cancellation_promotes_the_first_waiting_person(admin, org, committed):
    event = make_event(admin, capacity=2)
    a, b, c, d, e = people(org, 5)
    for m in (a, b, c, d, e):
        services.registration_create(membership=m, event=event)
    with committed():
        services.registration_cancel(membership=a, event=event)
    assert states(event) == [
        (a.pk, "cancelled", None),
        (b.pk, "registered", None),
        (c.pk, "registered", None),  # promoted
        (d.pk, "waitlisted", 1),
        (e.pk, "waitlisted", 2),
    ]
    assert len(mail.outbox) == 2
    cancelled = next(m for m in mail.outbox if m.to == [a.user.email])
    assert cancelled.subject.startswith("Inscription annulée")  # the organization's language
    name, content, _type = cancelled.attachments[0]
    assert name == "cancellation.ics"
    assert "METHOD:CANCEL\r\n" in content and "STATUS:CANCELLED\r\n" in content
    promoted = next(m for m in mail.outbox if m.to == [c.user.email])
    assert promoted.subject.startswith("Une place s’est libérée")  # noqa: RUF001
    assert promoted.attachments[0][0] == "invitation.ics"
    # Leaving the waiting list closes the gap.
    services.registration_cancel(membership=d, event=event)
    assert states(event)[4] == (e.pk, "waitlisted", 1)
    with pytest.raises(Conflict):
        services.registration_cancel(membership=d, event=event)


def test_registering_again_after_cancelling(admin, org):
    event = make_event(admin, capacity=1)
    a, b = people(org, 2)
    services.registration_create(membership=a, event=event)
    services.registration_cancel(membership=a, event=event)
    services.registration_create(membership=b, event=event)
    back = services.registration_create(membership=a, event=event)
    assert (back.status, back.position) == ("waitlisted", 1)  # the place went to b meanwhile


def test_no_registration_once_started_and_not_for_the_coach(admin, org, member):
    coach = factories.make_member(org)
    event = make_event(admin, coach=coach)
    with pytest.raises(Conflict):
        services.registration_create(membership=coach, event=event)
    services.registration_create(membership=member, event=event)
    event.starts_at = event.starts_at - dt.timedelta(days=10)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    with pytest.raises(Conflict):
        services.registration_create(membership=factories.make_member(org), event=event)
    with pytest.raises(Conflict):
        services.registration_cancel(membership=member, event=event)


def test_outsiders_cannot_register(admin, outsider):
    event = make_event(admin)
    with pytest.raises(NotFound):
        services.registration_create(membership=outsider, event=event)
    with pytest.raises(NotFound):
        services.registration_cancel(membership=outsider, event=event)


def test_confirmation_and_waitlist_emails(admin, org, committed):
    event = make_event(admin, capacity=1)
    a, b = people(org, 2)
    with committed():
        services.registration_create(membership=a, event=event)
        services.registration_create(membership=b, event=event)
    first, second = mail.outbox
    assert first.to == [a.user.email] and first.subject.startswith("Vous êtes inscrit")
    name, content, mimetype = first.attachments[0]
    assert (name, mimetype) == ("invitation.ics", "text/calendar")
    assert "BEGIN:VCALENDAR\r\n" in content and "SUMMARY:Coaching LinkedIn\r\n" in content
    assert first.extra_headers["Message-ID"].startswith("<portevoix.registered.")
    assert second.to == [b.user.email] and second.subject.startswith("Liste d’attente")  # noqa: RUF001
    assert "numéro 1" in second.body and not second.attachments


def test_emails_follow_the_persons_language(admin, org, committed):
    event = make_event(admin)
    person = factories.make_member(org)
    person.user.language = "en"
    person.user.save(update_fields=["language"])
    with committed():
        services.registration_create(membership=person, event=event)
    assert mail.outbox[-1].subject == "You are registered: Coaching LinkedIn"
    assert "The attached invitation adds the session to your calendar." in mail.outbox[-1].body


def test_more_places_promote_and_fewer_than_registered_are_refused(admin, org):
    event = make_event(admin, capacity=1)
    a, b, c = people(org, 3)
    for m in (a, b, c):
        services.registration_create(membership=m, event=event)

    def update(**changes):
        data = services.EventData(
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=event.capacity,
            place=event.place,
        )
        for key, value in changes.items():
            setattr(data, key, value)
        return services.event_update(actor=admin, event=event, data=data)

    event = update(capacity=2)
    assert [s[1:] for s in states(event)] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
    ]
    with pytest.raises(Conflict) as exc:
        update(capacity=1)
    assert "capacity" in exc.value.field_errors


def test_moving_an_event_tells_the_registered_and_resets_reminders(admin, org, committed):
    event = make_event(admin, capacity=1)
    a, b = people(org, 2)
    services.registration_create(membership=a, event=event)
    services.registration_create(membership=b, event=event)
    Registration.objects.filter(event=event).update(reminded_at=event.starts_at)
    later = event.starts_at + dt.timedelta(days=2)
    with committed():
        services.event_update(
            actor=admin,
            event=event,
            data=services.EventData(
                title=event.title,
                starts_at=later,
                ends_at=later + dt.timedelta(hours=1),
                capacity=1,
                place=event.place,
            ),
        )
    event.refresh_from_db()
    assert event.sequence == 1
    assert [m.to for m in mail.outbox] == [[a.user.email]]  # not the waiting list
    assert "SEQUENCE:1\r\n" in mail.outbox[0].attachments[0][1]
    registered = Registration.objects.get(event=event, membership=a)
    assert registered.reminded_at is None


# --- Attendance


def _past(event):
    event.starts_at = event.starts_at - dt.timedelta(days=5)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    return event


def test_attendance_is_marked_by_the_coach_only(admin, org):
    coach = factories.make_member(org)
    event = make_event(admin, capacity=3, coach=coach)
    a, b, c, d = people(org, 4)
    regs = [services.registration_create(membership=m, event=event) for m in (a, b, c, d)]
    with pytest.raises(Conflict):  # not started yet
        services.attendance_mark(actor=coach, event=event, attended_ids=[regs[0].pk])
    _past(event)
    for who in (admin, a):
        with pytest.raises(PermissionDenied):
            services.attendance_mark(actor=who, event=event, attended_ids=[regs[0].pk])
    with pytest.raises(DomainError):  # d is on the waiting list, not a participant
        services.attendance_mark(actor=coach, event=event, attended_ids=[regs[3].pk])
    count = services.attendance_mark(
        actor=coach, event=event, attended_ids=[regs[0].pk, regs[2].pk]
    )
    assert count == 2
    marks = dict(Registration.objects.filter(event=event).values_list("membership_id", "attended"))
    assert marks == {a.pk: True, b.pk: False, c.pk: True, d.pk: None}
