"""Fixtures of the publishing tests: the fake X peer wired into the settings, a live item,
an ambassador's X connection holding tokens the fake issued, a community manager and an
executive, API clients that keep every response body, and English pages in Paris time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from portevoix.accounts.models import Membership
from portevoix.accounts.roles import Role
from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections
from portevoix.publishing.models import Connection
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_live_item, make_member
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


class RecordingClient(ApiClient):
    """An API client that keeps every response body, to search them for secrets."""

    bodies: list[bytes]

    def __init__(self, secret: str | None, bodies: list[bytes]) -> None:
        super().__init__(secret)
        self.bodies = bodies

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = super().request(method, path, body, **kw)
        self.bodies.append(response.content)
        return response


@pytest.fixture
def bodies() -> list[bytes]:
    return []


@pytest.fixture
def api(bodies):
    def make(membership) -> RecordingClient:
        return RecordingClient(token_for(membership), bodies)

    return make


@pytest.fixture
def anonymous(bodies) -> RecordingClient:
    return RecordingClient(None, bodies)


@pytest.fixture
def community(org) -> Membership:
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


@pytest.fixture
def executive(org) -> Membership:
    return make_member(org, Role.EXECUTIVE, email="ceo@acme.test", ambassador=True)


@pytest.fixture
def english_in_paris(settings) -> Iterator[None]:
    """The platform in Paris time, the pages in English (the scheduling tests)."""
    settings.TIME_ZONE = "Europe/Paris"
    with translation.override("en"):
        yield


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
