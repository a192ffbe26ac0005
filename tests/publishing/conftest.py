"""Fixtures of the publishing tests: the fake X peer wired into the settings, a live item,
and an ambassador's X connection holding tokens the fake issued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections
from portevoix.publishing.models import Connection
from tests.factories import make_live_item
from tests.peers.fake_x import FakeX
from tests.peers.server import serve

CALLBACK_X = "http://testserver/me/accounts/callback/x/"


@pytest.fixture
def fake_x(settings) -> Iterator[FakeX]:
    fake = FakeX(redirect_uris=(CALLBACK_X,))
    with serve(fake.app) as url:
        settings.SOCIAL_ENDPOINTS = {
            "x": {
                "authorize": f"{url}/i/oauth2/authorize",
                "token": f"{url}/2/oauth2/token",
                "revoke": f"{url}/2/oauth2/revoke",
                "api": url,
            }
        }
        settings.SOCIAL_APPS = {
            **settings.SOCIAL_APPS,
            "x": {"client_id": fake.client_id, "client_secret": fake.client_secret},
        }
        settings.SHORT_LINK_BASE_URL = "https://go.example.org"
        yield fake


@pytest.fixture
def item(manager, approver) -> ContentItem:
    return make_live_item(manager, approver)


def x_tokens(fake: FakeX) -> TokenSet:
    issued = fake.issue_tokens()
    return TokenSet(
        access_token=issued["access_token"],
        refresh_token=issued.get("refresh_token", ""),
        expires_at=clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
        scope=issued["scope"],
    )


def connect_x(membership, fake: FakeX, *, followers: int | None = 1234) -> Connection:
    user = fake.default_user
    return connections._store(
        membership=membership,
        network="x",
        account=Account(
            account_id=user.id,
            handle=f"@{user.username}",
            display_name=user.name,
            followers=followers,
        ),
        tokens=x_tokens(fake),
        instance="",
    )


@pytest.fixture
def x_connection(ambassador, fake_x) -> Connection:
    return connect_x(ambassador, fake_x)
