"""The person's own settings."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portevoix.core.errors import DomainError

from ..models import (
    User,
)

# --- The person's own settings


def time_zones() -> list[str]:
    """Every IANA time zone name, sorted (what `user_time_zone_set` accepts)."""
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """The person's time zone (IANA name), used to schedule and to find their best times;
    empty: the platform's (settings.TIME_ZONE)."""
    time_zone = time_zone.strip()
    if time_zone and time_zone not in set(time_zones()):
        message = _("Unknown time zone.")
        raise DomainError(message, field_errors={"time_zone": [message]})
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
    return user
