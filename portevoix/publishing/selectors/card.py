"""The feed card's reads: the member's usable accounts and their recent posts (re-exported
by `publishing.selectors`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import formats

from portevoix.accounts import frame
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from .. import scheduling
from ..models import OPEN_STATES, Connection, ConnectionStatus, Post, PostState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class CardAccount:
    """One of the member's usable accounts, as the feed card offers it."""

    connection: Connection
    network_label: str
    # The slot "schedule at the best time" would take now, in the member's time zone.
    best_at: dt.datetime


@dataclass(frozen=True)
class CardState:
    """What every card of one page needs, read once per request."""

    accounts: list[CardAccount]
    # (item id, connection id) -> the post already planned or published there.
    posts: dict[tuple[int, int], Post]


CARD_RECENT_DAYS = 30


def card_when(membership: Membership, when: dt.datetime) -> str:
    """A moment of the coming week as the card says it, in the member's time zone:
    "Tue 08:30"."""
    return formats.date_format(when.astimezone(scheduling.tz_of(membership)), "D H:i")


CARD_MAX_POSTS = 1000


def _has_active_connection(membership: Membership) -> bool:
    return (
        scoped(Connection, membership.organization_id)
        .filter(membership_id=membership.pk, status=ConnectionStatus.ACTIVE)
        .exists()
    )


def card_state(membership: Membership) -> CardState:
    """The member's own active accounts, each network's best slot (the rhythm applied), and
    their posts still to go out or published in the last 30 days: a fixed number of queries
    whatever the number of cards (none without an account: whether the member has one is
    kept in their page frame, accounts/frame.py, moved by any write of their connections)."""
    if not frame.cached(membership, "connected", lambda: _has_active_connection(membership)):
        return CardState(accounts=[], posts={})
    own = list(
        scoped(Connection, membership.organization_id).filter(
            membership_id=membership.pk, status=ConnectionStatus.ACTIVE
        )
    )
    if not own:
        return CardState(accounts=[], posts={})
    now = clock.now()
    tz = scheduling.tz_of(membership)
    best: dict[str, dt.datetime] = {}
    for network in sorted({c.network for c in own}):
        slot, _note = scheduling.best_slot(membership=membership, network=network, now=now)
        best[network] = slot.astimezone(tz)
    accounts = [
        CardAccount(
            connection=c,
            network_label=Network.LABELS.get(c.network, c.network),
            best_at=best[c.network],
        )
        for c in sorted(own, key=lambda c: (Network.ALL.index(c.network), c.handle, c.pk))
    ]
    recent = now - dt.timedelta(days=CARD_RECENT_DAYS)
    rows = (
        scoped(Post, membership.organization_id)
        .filter(membership_id=membership.pk, connection_id__in=[c.pk for c in own])
        .filter(Q(state__in=OPEN_STATES) | Q(state=PostState.PUBLISHED, published_at__gte=recent))
        .only("pk", "item_id", "connection_id", "state", "scheduled_at", "published_at")
        .order_by("-scheduled_at")[:CARD_MAX_POSTS]
    )
    posts: dict[tuple[int, int], Post] = {}
    for post in rows:
        posts.setdefault((post.item_id, post.connection_id or 0), post)
    return CardState(accounts=accounts, posts=posts)
