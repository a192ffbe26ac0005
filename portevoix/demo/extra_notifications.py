"""Demo notifications: a few in-app notifications for the demo ambassador (the bell shows
them from the first visit): the latest important item that is live (read), and the next
coaching session they are registered for (unread). No push: the demo has no subscription.

`load(org)` writes through the notifications service (dedupe keys make it idempotent) and
reads the items and events through their apps' selectors.
"""

from __future__ import annotations

from portevoix.accounts.models import Membership, Organization
from portevoix.content.models import ContentItem
from portevoix.content.selectors import live_q
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.notifications import services
from portevoix.notifications.messages import content_live, event_soon
from portevoix.notifications.models import Kind
from portevoix.training.models import Registration, RegistrationStatus

AMBASSADOR = "ambassadrice@demo.portevoix.org"


def load(org: Organization) -> None:
    ambassador = (
        scoped(Membership, org).filter(user__email=AMBASSADOR).first()
        or scoped(Membership, org).filter(ambassador__opted_in=True).order_by("pk").first()
    )
    if ambassador is None:
        return
    now = clock.now()
    item = (
        scoped(ContentItem, org)
        .filter(live_q(now), important=True)
        .order_by("-publish_at", "-pk")
        .first()
    )
    if item is not None:
        for pk in services.notify(
            organization_id=org.pk,
            membership_ids=[ambassador.pk],
            kind=Kind.CONTENT_LIVE,
            dedupe_key=f"item:{item.pk}:live",
            build=lambda tz: content_live(item, tz),
        ):
            services.notification_mark_read(membership=ambassador, pk=pk)
    registration = (
        scoped(Registration, org)
        .filter(
            membership=ambassador,
            status=RegistrationStatus.REGISTERED,
            event__starts_at__gt=now,
        )
        .select_related("event")
        .order_by("event__starts_at")
        .first()
    )
    if registration is not None:
        event = registration.event
        services.notify(
            organization_id=org.pk,
            membership_ids=[ambassador.pk],
            kind=Kind.EVENT,
            dedupe_key=f"event:{event.pk}:{int(event.starts_at.timestamp())}",
            build=lambda tz: event_soon(event, tz, now),
        )
