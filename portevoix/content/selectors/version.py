"""The organization's content version: what a cached page of its content is keyed on."""

from __future__ import annotations

from portevoix.core.tenancy import scoped

from ..models import FeedVersion


def content_version(*, organization_id: int) -> int:
    """The number that moves with every write of the organization's items, their copies,
    images and topics, its topics and campaigns (`feed_cache.bump`, from the models'
    signals); 0 before the first. One indexed read."""
    found = scoped(FeedVersion, organization_id).values_list("version", flat=True)
    return next(iter(found), 0)
