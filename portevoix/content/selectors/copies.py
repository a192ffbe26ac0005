"""Ready-to-copy posts: an item's suggested text and link, for another app's page or email
(analytics' monthly report shows the best posts ready to copy). Re-exported by
`content.selectors`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from portevoix.core.tenancy import scoped

from ..models import ContentItem, NetworkCopy

# The network whose suggested text is shown first when an item has several.
PREFERRED_NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")


@dataclass(frozen=True)
class ReadyPost:
    item_id: int
    title: str
    text: str  # the suggested text (the preferred network's first variant), "" if none
    network: str  # that text's network ("" if none)
    link: str  # the item's link ("" if none)


def ready_posts(*, organization_id: int, item_ids: Iterable[int]) -> dict[int, ReadyPost]:
    """{item id: its ready-to-copy post} of the organization's items among `item_ids`, in
    two queries (the items, their copies). No permission check: the caller authorizes."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    copies = Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant"))
    items = (
        scoped(ContentItem, organization_id)
        .filter(pk__in=ids)
        .only("pk", "title", "link", "body")
        .prefetch_related(copies)
    )
    rank = {network: i for i, network in enumerate(PREFERRED_NETWORKS)}
    result = {}
    for item in items:
        found = sorted(item.copies.all(), key=lambda c: (rank.get(c.network, 99), c.variant))
        first = found[0] if found else None
        result[item.pk] = ReadyPost(
            item_id=item.pk,
            title=item.title,
            text=first.text if first else "",
            network=first.network if first else "",
            link=item.link,
        )
    return result
