"""The share buttons of an email: a member's own tracked link, created when they click.

An email to 100,000 ambassadors cannot create a tracked link per member, item and network
when it is prepared (millions of rows for links most will never use). Its buttons carry a
signed reference instead (notifications signs and checks it); the click comes here, which
creates the member's one tracked link of (item, network) or finds it (`link_get_or_create`),
and answers where to go: the network's share page with the suggested copy and the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from portevoix.accounts.permissions import require
from portevoix.core.errors import NotFound
from portevoix.core.networks import Network

from .. import intents, selectors
from .links import link_get_or_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class MailShare:
    short_url: str
    text: str
    # The network's share page, or "" when it needs what we do not have (a Mastodon
    # instance): then the member shares from the app.
    intent_url: str


def share_link_for_mail(*, membership: Membership, item_id: int, network: str) -> MailShare:
    """The member's tracked link of a live item on `network` (created once) with the first
    suggested copy, its link replaced by the tracked one. NotFound when the item is no longer
    live, the network unknown, or the member may not share."""
    if network not in Network.ALL:
        raise NotFound("Not found.")
    require(membership, "share.create")
    item = selectors.live_item(membership=membership, item_id=item_id)
    link = link_get_or_create(membership=membership, item=item, network=network)
    short = selectors.short_url(link.code)
    copies = selectors.suggested_copies(item, network)
    text = intents.compose_text(
        copies[0].text if copies else item.title, item_link=item.link, short_url=short
    )
    instance = None
    if network == Network.MASTODON:
        instance, _audience = selectors.share_audience(membership=membership, network=network)
        if instance is None:
            return MailShare(short_url=short, text=text, intent_url="")
    return MailShare(
        short_url=short,
        text=text,
        intent_url=intents.intent_url(network, text=text, url=short, instance=instance),
    )
