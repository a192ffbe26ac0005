"""Login throttling (django-axes), configured so that no IP address is ever stored.

Failed logins are counted per account (the email address, lowercased): after
`AXES_FAILURE_LIMIT` failures the account is locked for `AXES_COOLOFF_TIME`, whatever the
password. The attempts table holds the username, never an address: `client_ip` gives axes
no IP, the success log is off (`AXES_DISABLE_ACCESS_LOG`), the failure log too.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> None:
    """What axes stores as the client's address: nothing (the house rule: no IP in a table)."""
    return None


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email the attempt is for, normalized as accounts store it (stripped, lowercase)."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    if value is None:
        value = request.POST.get("username") if request.method == "POST" else None
    return str(value).strip().lower() if value else None


def client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str,
    path_info: str,
    request: HttpRequest,
) -> str:
    """How axes names a client in its log lines: without address or email."""
    return "a login attempt"


def lockout_minutes() -> int:
    """The cool-off, in whole minutes (rounded up), for the message on the login page."""
    cool_off = settings.AXES_COOLOFF_TIME
    if not isinstance(cool_off, dt.timedelta):
        return 0
    return max(1, math.ceil(cool_off.total_seconds() / 60))
