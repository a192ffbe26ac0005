"""What time brings: the one reminder, and the close at the deadline (a periodic task)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import transaction

from portevoix.core import clock

from .. import signals
from ..models import State, Survey
from ..selectors import nav
from .answering import close

# The reminder goes when a day is left, or half-way for a survey shorter than two days.
REMINDER_BEFORE = dt.timedelta(days=1)


def reminder_due_at(survey: Survey) -> dt.datetime:
    start = survey.launched_at or survey.created_at
    return max(survey.deadline - REMINDER_BEFORE, start + (survey.deadline - start) / 2)


def surveys_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every open survey whose deadline passed (each in its own transaction)."""
    now = now or clock.now()
    due = list(
        Survey.objects.filter(state=State.OPEN, deadline__lte=now).values_list("pk", flat=True)
    )
    closed = 0
    for pk in due:
        with transaction.atomic():
            survey = Survey.objects.select_for_update().filter(pk=pk, state=State.OPEN).first()
            if survey is not None and survey.deadline <= now:
                close(survey, now)
                closed += 1
    return closed


def surveys_remind(*, now: dt.datetime | None = None) -> int:
    """Claim each due reminder once (a conditional update: never twice, even when two
    workers run), and announce it once committed."""
    now = now or clock.now()
    candidates = Survey.objects.filter(
        state=State.OPEN, deadline__gt=now, reminder_sent_at__isnull=True
    )
    sent = 0
    for survey in candidates:
        if reminder_due_at(survey) > now:
            continue
        with transaction.atomic():
            claimed = Survey.objects.filter(pk=survey.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if claimed:
                sent += 1
                transaction.on_commit(functools.partial(_announce_reminder, survey))
    return sent


def _announce_reminder(survey: Survey) -> None:
    signals.survey_reminder_due.send(
        sender=Survey, organization_id=survey.organization_id, survey_id=survey.pk
    )


def surveys_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    done = {"reminded": surveys_remind(now=now), "closed": surveys_close_due(now=now)}
    nav.remember_all_open()
    return done
