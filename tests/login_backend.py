"""The login throttle's backend for the test suite.

Django's test client `login()` calls `authenticate()` without a request, which axes refuses
(it needs the request to count attempts). Those calls are not attempts from the web: they
are let through unthrottled here. Every request through the login page is still throttled
by axes as in production (tests/accounts/test_login_throttle.py).
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ClientLoginAxesBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
