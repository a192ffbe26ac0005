"""Copying a post from the feed: the text with the ambassador's tracked link in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import NotFound
from portevoix.core.networks import Network

from .. import intents, selectors
from .links import link_get_or_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class CopiedText:
    network: str
    text: str
    short_url: str
    # False on LinkedIn and Facebook: their share page takes the link only, the
    # ambassador pastes the text.
    prefills_text: bool


def share_copy_text(
    *, membership: Membership, item_id: int, network: str, copy_id: int | None = None
) -> CopiedText:
    """The text an ambassador copies for `network`: the suggested copy `copy_id` (or the
    first suggestion, or the item's title) with the item's link replaced by the member's
    tracked short link, which is created on the first copy and reused afterwards."""
    require(membership, "share.create")
    if network not in Network.ALL:
        raise NotFound(_("Not found."))
    item = selectors.live_item(membership=membership, item_id=item_id)
    copies = selectors.suggested_copies(item, network)
    chosen = next((c.text for c in copies if c.pk == copy_id), None)
    if chosen is None:
        chosen = copies[0].text if copies else item.title
    link = link_get_or_create(membership=membership, item=item, network=network)
    short = selectors.short_url(link.code)
    return CopiedText(
        network=network,
        text=intents.compose_text(chosen, item_link=item.link, short_url=short),
        short_url=short,
        prefills_text=network not in intents.NO_TEXT_NETWORKS,
    )
