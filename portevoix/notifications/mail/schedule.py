"""When each organization's digests start: its `DigestSchedule` (or Monday 09:00 in the
platform's time zone), read in its time zone; and the administrators' write of it (the
notification policy page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from .. import rules
from ..models_mail import DEFAULT_DIGEST_HOUR, DEFAULT_DIGEST_WEEKDAY, DigestSchedule

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class Schedule:
    weekday: int  # Python's weekday(): 0 is Monday
    hour: int
    time_zone: str  # "" is the platform's (settings.TIME_ZONE)


def local_now_and_schedule(organization_id: int, now: dt.datetime) -> tuple[dt.datetime, int, int]:
    """(now in the organization's time zone, weekday of its weekly digest, its hour)."""
    found = scoped(DigestSchedule, organization_id).first()
    if found is None:
        return now.astimezone(rules.zone("")), DEFAULT_DIGEST_WEEKDAY, DEFAULT_DIGEST_HOUR
    return now.astimezone(rules.zone(found.time_zone)), found.weekday, found.hour


def digest_schedule_of(*, membership: Membership) -> Schedule:
    """The organization's digest schedule, or the defaults (administrators only)."""
    require(membership, "org.manage")
    found = scoped(DigestSchedule, membership.organization_id).first()
    if found is None:
        return Schedule(DEFAULT_DIGEST_WEEKDAY, DEFAULT_DIGEST_HOUR, "")
    return Schedule(found.weekday, found.hour, found.time_zone)


def digest_schedule_set(
    *, membership: Membership, weekday: int, hour: int, time_zone: str
) -> Schedule:
    """Set the day and hour the organization's digests start, in a time zone ("" for the
    platform's). Administrators only; an audit row keeps the change."""
    require(membership, "org.manage")
    time_zone = time_zone.strip()
    errors: dict[str, list[str]] = {}
    if not 0 <= weekday <= 6:
        errors["weekday"] = [_("Choose a day of the week.")]
    if not 0 <= hour <= 23:
        errors["hour"] = [_("Between 0 and 23.")]
    if time_zone and time_zone not in rules.time_zone_names():
        errors["time_zone"] = [_("Unknown time zone: use a name such as Europe/Paris.")]
    if errors:
        raise DomainError(_("The digest schedule has errors."), field_errors=errors)
    before = digest_schedule_of(membership=membership)
    after = Schedule(weekday, hour, time_zone)
    with transaction.atomic():
        row, _created = DigestSchedule.objects.update_or_create(
            organization_id=membership.organization_id,
            defaults={"weekday": weekday, "hour": hour, "time_zone": time_zone},
        )
        if before != after:
            gates.audit_record(
                organization=membership.organization,
                actor=membership,
                action="mail.digest_schedule_set",
                object_type="digest_schedule",
                object_id=row.pk,
                before=before.__dict__,
                after=after.__dict__,
            )
    return after
