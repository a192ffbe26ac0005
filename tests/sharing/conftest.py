from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership
from portevoix.analytics import rollups
from portevoix.content.models import ContentItem
from portevoix.sharing.records import ClickRecord
from tests.factories import make_live_item

SHORT_BASE = "https://go.example.org"


@pytest.fixture(autouse=True)
def _short_links(settings):
    settings.SHORT_LINK_BASE_URL = SHORT_BASE


@pytest.fixture
def rollup_calls(monkeypatch) -> list[dict[str, Any]]:
    """Every call to analytics.rollups.rollup_add, recorded instead of applied."""
    calls: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(rollups, "rollup_add", record)
    return calls


def total(calls: list[dict[str, Any]], field: str) -> Any:
    return sum(call.get(field, 0) for call in calls)


@pytest.fixture
def item(manager, approver) -> ContentItem:
    return make_live_item(manager, approver)


def set_networks(membership: Membership, *presences: account_services.PresenceData) -> None:
    account_services.ambassador_update(
        membership=membership,
        data=account_services.EnrolmentData(
            languages=["fr", "en"], help_with=["sharing"], networks=list(presences)
        ),
    )


def presence(network: str, audience: int = 0, instance: str = "") -> Any:
    return account_services.PresenceData(network=network, audience=audience, instance=instance)


_seq = iter(range(1, 10**9))


def click(
    code: str,
    *,
    at: dt.datetime,
    visitor: str = "a" * 32,
    bot: bool = False,
    head: bool = False,
    key: str | None = None,
    click_id: str | None = None,
    referrer: str = "linkedin",
    country: str = "FR",
) -> ClickRecord:
    n = next(_seq)
    return ClickRecord(
        journal_key=key or f"journal-{n}",
        code=code,
        at=at,
        visitor=visitor,
        bot=bot,
        head=head,
        referrer_network=referrer,
        country=country,
        click_id=click_id or f"click{n}",
    )


Factory = Callable[..., ClickRecord]
