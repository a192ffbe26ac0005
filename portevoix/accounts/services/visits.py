"""The ambassador's feed visits, for the feed's "new since your last visit"."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from portevoix.core import clock

from ..models import AmbassadorProfile

if TYPE_CHECKING:
    from ..models import Membership

# Visits closer together than this are one browsing session: the feed keeps comparing with
# the visit before the session, so a reload or the next page keeps the "new" markers.
FEED_SESSION_GAP = dt.timedelta(minutes=30)
# The last visit is written at most this often (one small UPDATE, not one per page view):
# it may be up to this much older than the real last visit, so an item may be marked new
# a little too often, never missed.
FEED_SEEN_PRECISION = dt.timedelta(minutes=5)


def ambassador_feed_visit(
    *, membership: Membership, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Record that the ambassador opens their feed now, and return the moment the feed's
    "new" markers compare with: their last visit before the current browsing session
    (visits less than `FEED_SESSION_GAP` apart). None on their first visit ever, or
    without an ambassador profile: nothing is marked new then (everything would be).

    Reads the profile through `membership.ambassador` (cached on the membership, as the
    feed's selector reads it too) and writes it at most every `FEED_SEEN_PRECISION`."""
    now = now or clock.now()
    try:
        profile = membership.ambassador
    except ObjectDoesNotExist:
        return None
    seen, since = profile.feed_seen_at, profile.feed_since_at
    if seen is not None and now - seen < FEED_SEEN_PRECISION:
        return since
    if seen is None or now - seen >= FEED_SESSION_GAP:
        since = seen  # a new browsing session: compare with the last visit of the previous one
    AmbassadorProfile.objects.filter(pk=profile.pk).update(feed_seen_at=now, feed_since_at=since)
    profile.feed_seen_at, profile.feed_since_at = now, since
    return since
