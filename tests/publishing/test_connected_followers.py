"""publishing.selectors.connected_followers: the synced follower count sharing uses for a
share's potential reach (through `settings.SHARE_AUDIENCE_PROVIDERS`)."""

from __future__ import annotations

import datetime as dt

from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, selectors
from portevoix.publishing.models import Connection, ConnectionStatus


def _connect(membership, account_id: str, followers: int | None) -> Connection:
    return connections._store(
        membership=membership,
        network="x",
        account=Account(
            account_id=account_id,
            handle=f"@user{account_id}",
            display_name=f"User {account_id}",
            followers=followers,
        ),
        tokens=TokenSet(
            access_token="token",
            refresh_token="",
            expires_at=clock.now() + dt.timedelta(hours=2),
            scope="tweet.write",
        ),
        instance="",
    )


def test_none_without_a_connected_account(ambassador):
    assert selectors.connected_followers(membership=ambassador, network="x") is None


def test_the_largest_active_count_of_the_members_own_accounts(ambassador, manager, outsider):
    _connect(ambassador, "1", 10)
    _connect(ambassador, "2", 700)
    _connect(ambassador, "3", None)
    broken = _connect(ambassador, "4", 9999)
    Connection.objects.filter(pk=broken.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)
    _connect(manager, "5", 50_000)  # a colleague's account
    _connect(outsider, "6", 80_000)  # another organization's member
    assert selectors.connected_followers(membership=ambassador, network="x") == 700
    assert selectors.connected_followers(membership=ambassador, network="bluesky") is None
    assert selectors.connected_followers(membership=outsider, network="x") == 80_000
