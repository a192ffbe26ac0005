"""iCalendar invitations (RFC 5545) and the 24-hour reminder, sent once per registration."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail

from config import schedule
from portevoix.core import clock
from portevoix.training import ics, services
from portevoix.training.models import Registration
from portevoix.training.tasks import send_event_reminders
from tests import factories
from tests.training.conftest import make_event

pytestmark = pytest.mark.django_db


# --- A tiny iCalendar reader, for the tests


def parse_ics(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Check the framing (CRLF, 75-octet lines), unfold, and split each content line into
    (name, parameters, value)."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "bare LF or CR"
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    result = []
    for line in logical:
        match = re.match(r'^([A-Z-]+)((?:;[A-Z-]+=(?:"[^"]*"|[^;:,"]*))*):(.*)$', line)
        assert match, line
        params = dict(
            (p.split("=", 1)[0], p.split("=", 1)[1].strip('"'))
            for p in re.findall(r';([A-Z-]+=(?:"[^"]*"|[^;:,"]*))', match.group(2))
        )
        result.append((match.group(1), params, match.group(3)))
    return result


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def props(text: str) -> dict[str, str]:
    return {name: value for name, _params, value in parse_ics(text)}


def test_calendar_structure_escaping_and_folding():
    start = dt.datetime(2031, 3, 4, 8, 30, tzinfo=dt.UTC)
    text = ics.calendar(
        ics.CalendarEvent(
            uid="portevoix-event-7@example.org",
            sequence=2,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1, minutes=30),
            summary="Atelier, « bien partager »; niveau 1\\2",
            description="Ligne un\nLigne deux, avec une virgule; et un point-virgule. " * 4,
            location="Salle Ampère, Lyon",
            url="https://visio.example.com/room?a=1,2",
            organizer_name='Léa "CM" Dubois',
            organizer_email="lea@example.org",
        ),
        stamp=dt.datetime(2031, 3, 1, tzinfo=dt.UTC),
    )
    lines = parse_ics(text)
    names = [name for name, _p, _v in lines]
    assert names[:5] == ["BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD"]
    assert names[-2:] == ["END", "END"]
    values = {name: value for name, _p, value in lines}
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER", "SEQUENCE"):
        assert required in values, required
    assert values["VERSION"] == "2.0" and values["METHOD"] == "PUBLISH"
    assert values["DTSTART"] == "20310304T083000Z"
    assert values["DTEND"] == "20310304T100000Z"
    assert values["DTSTAMP"] == "20310301T000000Z"
    assert values["SEQUENCE"] == "2"
    assert values["SUMMARY"] == "Atelier\\, « bien partager »\\; niveau 1\\\\2"
    assert unescape(values["SUMMARY"]) == "Atelier, « bien partager »; niveau 1\\2"
    assert unescape(values["DESCRIPTION"]).startswith("Ligne un\nLigne deux, avec")
    assert unescape(values["LOCATION"]) == "Salle Ampère, Lyon"
    assert values["URL"] == "https://visio.example.com/room?a=1,2"  # a URI is not escaped
    organizer = next(params for name, params, _v in lines if name == "ORGANIZER")
    assert organizer["CN"] == "Léa CM Dubois"
    assert values["ORGANIZER"] == "mailto:lea@example.org"
    # The long description was folded: some physical lines are continuations.
    assert "\r\n " in text


def test_folding_never_cuts_a_character_in_two():
    line = "SUMMARY:" + "é" * 100
    folded = ics.fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "") == line


def test_naive_dates_are_refused():
    with pytest.raises(ValueError):
        ics.utc(dt.datetime(2031, 1, 1))


# --- Reminders


def _registered(admin, org, *, starts_in, count=2, coach=None, **event):
    ev = make_event(admin, capacity=count, starts_in=starts_in, coach=coach, **event)
    members = [factories.make_member(org) for _i in range(count + 1)]  # one waits
    for membership in members:
        services.registration_create(membership=membership, event=ev, notify=False)
    return ev, members


def test_reminder_is_sent_once_with_an_invitation(admin, org):
    coach = factories.make_member(org)
    coach.user.full_name = "Léa Dubois"
    coach.user.save(update_fields=["full_name"])
    event, members = _registered(
        admin, org, starts_in=dt.timedelta(days=3), coach=coach, video_url="https://v.example/x"
    )
    assert services.event_reminders_send() == 0  # three days ahead: not yet
    later = clock.now() + dt.timedelta(days=2, hours=1)  # 23 hours before the start
    with mock.patch.object(clock, "now", return_value=later):
        assert services.event_reminders_send() == 2
        assert services.event_reminders_send() == 0  # a second run sends nothing
        assert send_event_reminders.call_local() == 0  # nor does the task
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in members[:2])
    message = mail.outbox[0]
    assert message.subject.startswith("Demain : ")  # the organization's language
    assert message.extra_headers["Message-ID"].startswith("<portevoix.reminder.")
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("invitation.ics", "text/calendar")
    values = props(content)
    assert values["UID"] == f"portevoix-event-{event.pk}@127.0.0.1"
    assert values["DTSTART"] == event.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert values["ORGANIZER"] == f"mailto:{coach.user.email}"
    assert values["URL"] == "https://v.example/x"
    assert unescape(values["LOCATION"]) == "Salle Ampère, Lyon"
    reminded = Registration.objects.filter(event=event, reminded_at__isnull=False)
    assert reminded.count() == 2  # the waiting person gets none


def test_the_periodic_task_sends_reminders_once(admin, org):
    _registered(admin, org, starts_in=dt.timedelta(hours=30))
    later = clock.now() + dt.timedelta(hours=7)
    with mock.patch.object(clock, "now", return_value=later):
        assert schedule.training_event_reminders.call_local() == 2
        assert schedule.training_event_reminders.call_local() == 0
    assert len(mail.outbox) == 2


def test_registering_within_the_window_counts_as_the_reminder(admin, org, committed):
    event = make_event(admin, starts_in=dt.timedelta(hours=5))
    person = factories.make_member(org)
    with committed():
        services.registration_create(membership=person, event=event)
    assert len(mail.outbox) == 1  # the confirmation, with its invitation
    assert services.event_reminders_send() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_on_the_next_run(admin, org):
    _registered(admin, org, starts_in=dt.timedelta(hours=30), count=1)
    later = clock.now() + dt.timedelta(hours=7)
    with mock.patch.object(clock, "now", return_value=later):
        with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
            assert services.event_reminders_send() == 0
        assert not Registration.objects.filter(reminded_at__isnull=False).exists()
        assert services.event_reminders_send() == 1
    assert len(mail.outbox) == 1


def test_cancelled_people_get_no_reminder(admin, org):
    event, members = _registered(admin, org, starts_in=dt.timedelta(hours=10), count=1)
    services.registration_cancel(membership=members[0], event=event, notify=False)
    # The waiting person was promoted inside the window: their promotion is the reminder.
    assert services.event_reminders_send() == 0
    promoted = Registration.objects.get(membership=members[1])
    assert promoted.status == "registered" and promoted.reminded_at is not None


def test_stale_emails_are_skipped(admin, org):
    event, members = _registered(admin, org, starts_in=dt.timedelta(days=3), count=1)
    registration = Registration.objects.get(membership=members[0])
    services.registration_cancel(membership=members[0], event=event, notify=False)
    # A confirmation queued before the cancellation finds a cancelled registration.
    assert (
        services.registration_email_send(registration_id=registration.pk, kind="registered")
        is False
    )
    assert services.registration_email_send(registration_id=10**9, kind="registered") is False
    assert mail.outbox == []
    with pytest.raises(ValueError):
        services.registration_email_send(registration_id=registration.pk, kind="spam")
