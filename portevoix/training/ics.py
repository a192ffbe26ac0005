"""iCalendar (RFC 5545) invitations, written by hand: one VEVENT in a VCALENDAR.

- lines end with CRLF and are folded at 75 octets (a continuation line starts with a
  space; a UTF-8 character is never cut in two);
- TEXT values escape backslashes, semicolons, commas and newlines;
- dates are UTC (`20250131T083000Z`);
- METHOD:PUBLISH for invitations and reminders ("add to my calendar"), METHOD:CANCEL with
  STATUS:CANCELLED and the attendee when a registration is cancelled. SEQUENCE grows when
  the event is moved, so calendars replace the old copy (same UID).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Portevoix//Training events//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer_name: str = ""
    organizer_email: str = ""
    attendee_name: str = ""
    attendee_email: str = ""
    cancelled: bool = False


def utc(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("iCalendar dates must be aware datetimes")
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value: quoted, without the characters a quoted value cannot hold."""
    cleaned = "".join(ch for ch in value if ch not in '"\r\n' and (ch == "\t" or ch >= " "))
    return f'"{cleaned}"'


def uri(value: str) -> str:
    """A URI value is not escaped, but may not contain control characters."""
    return "".join(ch for ch in value if ch >= " " and ch != "\x7f")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (RFC 5545 3.1)."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1  # the continuation's leading space counts
        current += ch
        size += width
    parts.append(current)
    return CRLF.join(parts)


def calendar(event: CalendarEvent, *, stamp: dt.datetime) -> str:
    """The whole .ics text, CRLF line endings included."""
    method = "CANCEL" if event.cancelled else "PUBLISH"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{uri(event.uid)}",
        f"SEQUENCE:{int(event.sequence)}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{uri(event.url)}")
    if event.organizer_email:
        cn = f";CN={param_value(event.organizer_name)}" if event.organizer_name else ""
        lines.append(f"ORGANIZER{cn}:mailto:{uri(event.organizer_email)}")
    if event.cancelled and event.attendee_email:
        cn = f";CN={param_value(event.attendee_name)}" if event.attendee_name else ""
        lines.append(f"ATTENDEE{cn}:mailto:{uri(event.attendee_email)}")
    lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
    lines += ["TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)
