"""Plain helpers of the publishing API tests (tests/publishing/test_api_*.py)."""

from __future__ import annotations

import datetime as dt

from portevoix.core import clock
from portevoix.publishing import services
from portevoix.publishing.models import Connection, Post
from portevoix.publishing.tokens import unseal


def later(hours: float = 3) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


def secrets_of(connection: Connection) -> list[str]:
    connection.refresh_from_db()
    tokens = unseal(connection.tokens_encrypted)
    found = [tokens.access_token, connection.tokens_encrypted]
    if tokens.refresh_token:
        found.append(tokens.refresh_token)
    return found


def assert_no_secret(bodies: list[bytes], connection: Connection) -> None:
    assert bodies
    for secret in secrets_of(connection):
        assert secret
        for body in bodies:
            assert secret.encode() not in body


def schedule(ambassador, connection, item, at: dt.datetime | None = None) -> Post:
    return services.post_create(
        actor=ambassador,
        draft=services.PostDraft(
            connection_id=connection.pk, item_id=item.pk, when="at", at=at or later()
        ),
    )
