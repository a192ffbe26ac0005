"""The calendar as an iCalendar (RFC 5545) feed, written with the `icalendar` library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event

from .selectors import ONE_DAY, Entry

PRODID = "-//Portevoix//Content calendar//EN"
DEFAULT_LENGTH = dt.timedelta(minutes=30)


def feed(entries: Iterable[Entry], *, name: str, domain: str, base_url: str) -> bytes:
    """The entries as VEVENTs; stable UIDs (`item-12@host`) so calendar apps update them."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC)
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.key}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{entry.label}: {entry.title}")
        if entry.all_day:
            first = entry.starts_at.date()
            last = entry.ends_at.date() if entry.ends_at else first + ONE_DAY
            event.add("dtstart", first)
            event.add("dtend", max(last, first + ONE_DAY))
        else:
            ends_at = entry.ends_at or entry.starts_at + DEFAULT_LENGTH
            event.add("dtstart", entry.starts_at.astimezone(dt.UTC))
            event.add(
                "dtend", max(ends_at, entry.starts_at + dt.timedelta(minutes=1)).astimezone(dt.UTC)
            )
        if entry.detail:
            event.add("description", entry.detail)
        if entry.url:
            event.add("url", base_url + entry.url)
        event.add("categories", [entry.kind])
        calendar.add_component(event)
    return calendar.to_ical()
