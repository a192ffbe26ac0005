"""Tracked links: one per (ambassador, item, network), created once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.networks import Network

from .. import selectors
from ..codes import new_code
from ..models import TrackedLink

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership
    from portevoix.content.models import ContentItem

CODE_ATTEMPTS = 8


def link_get_or_create(*, membership: Membership, item: ContentItem, network: str) -> TrackedLink:
    """The one tracked link of (ambassador, item, network): created once, then the same
    link every time, also when two requests create it at the same moment."""
    if network not in Network.ALL:
        raise DomainError(_("Unknown network."), field_errors={"network": [_("Unknown network.")]})
    if item.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    lookup = {"membership_id": membership.pk, "item_id": item.pk, "network": network}
    found = selectors.existing_link(membership=membership, item_id=item.pk, network=network)
    if found is not None:
        return found
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    organization_id=membership.organization_id, code=code, **lookup
                )
        except IntegrityError:
            # Either someone created this link just now (read it), or the random code
            # was taken (draw another one).
            found = selectors.existing_link(membership=membership, item_id=item.pk, network=network)
            if found is not None:
                return found
    raise Conflict(_("Could not create a short link; try again."))  # pragma: no cover
