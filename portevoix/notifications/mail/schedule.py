"""When each organization's digests start: its `DigestSchedule` (or Monday 09:00 in the
platform's time zone), read in its time zone."""

from __future__ import annotations

import datetime as dt

from portevoix.core.tenancy import scoped

from .. import rules
from ..models_mail import DEFAULT_DIGEST_HOUR, DEFAULT_DIGEST_WEEKDAY, DigestSchedule


def local_now_and_schedule(organization_id: int, now: dt.datetime) -> tuple[dt.datetime, int, int]:
    """(now in the organization's time zone, weekday of its weekly digest, its hour)."""
    found = scoped(DigestSchedule, organization_id).first()
    if found is None:
        return now.astimezone(rules.zone("")), DEFAULT_DIGEST_WEEKDAY, DEFAULT_DIGEST_HOUR
    return now.astimezone(rules.zone(found.time_zone)), found.weekday, found.hour
