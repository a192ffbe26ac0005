"""What the tests of kept pages (docs/decisions/0036-page-body-cache.md) share: the CSRF
token in a form, a signed-in client, and the clock stopped so that a kept body lives for its
time slot."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from portevoix.core import clock

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def logged_in(membership: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(membership.user)
    return client


def stop_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    """The clock stopped at a fixed moment: `result["at"] = ...` moves it."""
    at = {"at": dt.datetime(2026, 12, 7, 10, 0, 5, tzinfo=dt.UTC)}
    monkeypatch.setattr(clock, "now", lambda: at["at"])
    return at
