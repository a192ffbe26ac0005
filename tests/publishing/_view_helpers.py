"""Plain helpers of the publishing view tests (tests/publishing/test_views_*.py)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.test import Client

from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, services
from portevoix.publishing.models import Connection, Post

PARIS = ZoneInfo("Europe/Paris")


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def later(hours: float = 3) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


def local_input(when: dt.datetime) -> str:
    """A datetime-local field's value, in the ambassador's zone (the platform's: Paris)."""
    return when.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def schedule(membership, connection, item, *, at: dt.datetime | None = None, text=None) -> Post:
    return services.post_create(
        actor=membership,
        draft=services.PostDraft(
            connection_id=connection.pk, item_id=item.pk, text=text, when="at", at=at or later()
        ),
    )


def row(html: str, post: Post) -> str:
    """The <tr> of one post in the posts table."""
    found = re.search(rf'<tr data-post="{post.pk}".*?</tr>', html, re.S)
    assert found, f"no row for post {post.pk}"
    return found.group(0)


def linkedin_connection(membership, **fields) -> Connection:
    connection = connections._store(
        membership=membership,
        network="linkedin",
        account=Account(account_id="urn:li:person:ada", handle="Ada Lovelace"),
        tokens=TokenSet(access_token="li-access-token", expires_at=later(24 * 60)),
        instance="",
    )
    if fields:
        Connection.objects.filter(pk=connection.pk).update(**fields)
        connection.refresh_from_db()
    return connection
