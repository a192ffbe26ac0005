"""The calendar's layout: days in weeks of seven, and the entries that last several days as
bars across a week, packed in lanes (the first lane free from the bar's first day).

The template places bars and day cells with classes (`c3 s4 l1`, `r2`), as the content
security policy allows no inline style: `MAX_LANES` lanes at most per week; past that, an
entry is listed in each of its days instead. A day lists at most `per_day` entries (the month
view asks for few, the week view for more) and counts the rest in `more`, so a busy month
stays readable and fast to draw (thousands of live items in a big organization).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from .selectors import Entry

ONE_DAY = dt.timedelta(days=1)
MAX_LANES = 12
PER_DAY = {"month": 4, "week": 20}


@dataclass
class DayEntry:
    entry: Entry
    first: bool  # the entry's first appearance in view: the move form is shown there only
    continues: bool  # the entry began on an earlier day


@dataclass
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    column: int  # 1 (Monday) to 7
    entries: list[DayEntry] = field(default_factory=list)
    more: int = 0  # entries of the day not listed (past `per_day`)
    more_url: str = ""  # where they are (set by the view)

    def add(self, entry: DayEntry, per_day: int) -> None:
        if len(self.entries) < per_day:
            self.entries.append(entry)
        else:
            self.more += 1


@dataclass
class Span:
    """An entry's bar across one week: from `column` over `length` days, in `lane`."""

    entry: Entry
    column: int
    length: int
    lane: int
    first_day: dt.date
    last_day: dt.date
    entry_first: dt.date  # the whole period of the entry, beyond this week
    entry_last: dt.date
    first: bool  # the entry's first appearance in view
    continues_before: bool
    continues_after: bool


@dataclass
class Week:
    days: list[Day]
    spans: list[Span] = field(default_factory=list)
    lanes: int = 0


def last_day(entry: Entry) -> dt.date:
    """The last local day an entry covers (an end at midnight belongs to the day before);
    an item with no expiry is shown on its first day only."""
    first = timezone.localdate(entry.starts_at)
    if entry.ends_at is None or entry.ends_at <= entry.starts_at:
        return first
    return max(first, timezone.localdate(entry.ends_at - dt.timedelta(microseconds=1)))


def lay_out(
    entries: list[Entry],
    *,
    first: dt.date,
    end: dt.date,
    month: int | None,
    today: dt.date,
    per_day: int = PER_DAY["week"],
) -> list[Week]:
    """Weeks of seven days from `first` (a Monday) to `end`; `month`: the days of other
    months are outside the period (None: every day is in it)."""
    weeks: list[Week] = []
    by_date: dict[dt.date, Day] = {}
    day = first
    while day < end:
        if day.weekday() == 0:
            weeks.append(Week(days=[]))
        by_date[day] = Day(
            date=day,
            in_period=month is None or day.month == month,
            is_today=day == today,
            column=day.weekday() + 1,
        )
        weeks[-1].days.append(by_date[day])
        day += ONE_DAY
    shown: set[str] = set()
    for entry in entries:
        begins = timezone.localdate(entry.starts_at)
        start, stop = max(begins, first), min(last_day(entry), end - ONE_DAY)
        if start > stop:
            continue
        if start == stop:
            day_entry = DayEntry(entry, first=entry.key not in shown, continues=start > begins)
            by_date[start].add(day_entry, per_day)
            if by_date[start].entries[-1] is day_entry:
                shown.add(entry.key)
            continue
        for week in weeks:
            week_first, week_last = week.days[0].date, week.days[-1].date
            seg_first, seg_last = max(start, week_first), min(stop, week_last)
            if seg_first > seg_last:
                continue
            _place(week, entry, seg_first, seg_last, begins, by_date, shown, per_day)
    return weeks


def _place(
    week: Week,
    entry: Entry,
    seg_first: dt.date,
    seg_last: dt.date,
    begins: dt.date,
    by_date: dict[dt.date, Day],
    shown: set[str],
    per_day: int,
) -> None:
    column = seg_first.weekday() + 1
    length = (seg_last - seg_first).days + 1
    taken = {
        span.lane
        for span in week.spans
        if span.column <= column + length - 1 and column <= span.column + span.length - 1
    }
    lane = next(n for n in range(len(week.spans) + 1) if n not in taken)
    if lane >= MAX_LANES:  # too many bars this week: list it in each of its days
        day = seg_first
        while day <= seg_last:
            day_entry = DayEntry(entry, first=entry.key not in shown, continues=day > begins)
            by_date[day].add(day_entry, per_day)
            if by_date[day].entries[-1] is day_entry:
                shown.add(entry.key)
            day += ONE_DAY
        return
    week.spans.append(
        Span(
            entry=entry,
            column=column,
            length=length,
            lane=lane,
            first_day=seg_first,
            last_day=seg_last,
            entry_first=begins,
            entry_last=last_day(entry),
            first=entry.key not in shown,
            continues_before=seg_first > begins,
            continues_after=seg_last < last_day(entry),
        )
    )
    shown.add(entry.key)
    week.lanes = max(week.lanes, lane + 1)
