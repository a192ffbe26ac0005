"""Moving an item in time (the content calendar): a new publish-at, the same live period.

The rules are editing's: the member may edit the item (`content.edit`, same organization),
archived and expired items do not move, and the new date is not in the past. An approved or
live item keeps its approval unless the organization asks for a new review after a move
(`Organization.reschedule_requires_review`); then it goes back to review with a new revision,
as an edit would. Every move is a `Transition` row (action "reschedule").
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError

from ..models import ContentItem, State, Transition
from . import _locked, _record, _state_after_approval

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MOVABLE_STATES = {
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.LIVE,
}
APPROVED_STATES = {State.APPROVED, State.LIVE}
# An item with an expiry but no publish-at, whose expiry has passed its new start: it keeps
# at least this long a live period.
MIN_PERIOD = dt.timedelta(days=1)


def _new_expiry(item: ContentItem, publish_at: dt.datetime) -> dt.datetime | None:
    """The expiry that keeps the item's live period as long as it was."""
    if item.expire_at is None:
        return None
    start = item.publish_at or item.live_at or clock.now()
    period = item.expire_at - start
    return publish_at + (period if period > dt.timedelta(0) else MIN_PERIOD)


@transaction.atomic
def item_reschedule(
    *, membership: Membership, item: ContentItem, publish_at: dt.datetime
) -> ContentItem:
    """Move `item` to `publish_at`, keeping the length of its live period. Idempotent: a move
    to the current publish-at changes nothing and records nothing."""
    require(membership, "content.edit", item)
    if publish_at.tzinfo is None:
        raise DomainError(
            _("The date needs a time zone."),
            field_errors={"publish_at": [_("The date needs a time zone.")]},
        )
    item = _locked(item)
    if item.state == State.ARCHIVED:
        raise Conflict(_("Archived content cannot be moved; restore it first."))
    if item.state not in MOVABLE_STATES:
        raise Conflict(_("Expired content cannot be moved; edit it to give it new dates."))
    if publish_at < clock.now():
        raise DomainError(
            _("The new date is in the past."),
            field_errors={"publish_at": [_("Choose a date and time from now on.")]},
        )
    if item.publish_at == publish_at:
        return item
    item.expire_at = _new_expiry(item, publish_at)
    item.publish_at = publish_at
    fields = ["publish_at", "expire_at", "state", "updated_at"]
    if item.state in APPROVED_STATES and membership.organization.reschedule_requires_review:
        item.revision += 1
        fields.append("revision")
        _record(
            item,
            membership.user_id,
            State.IN_REVIEW,
            "reschedule",
            _("Moved on the calendar after approval: back to review."),
        )
    elif item.state in APPROVED_STATES:
        # Still approved: the state and the moment it reaches ambassadors follow the new
        # date, as at approval (content.services.item_approve).
        target = _state_after_approval(item)
        item.live_at = max(publish_at, clock.now())
        fields.append("live_at")
        if target != item.state:
            _record(item, membership.user_id, target, "reschedule", _("Moved on the calendar."))
        else:
            _same_state(item, membership)
    else:
        _same_state(item, membership)
    item.save(update_fields=fields)
    return item


def _same_state(item: ContentItem, membership: Membership) -> None:
    Transition.objects.create(
        item=item,
        actor_id=membership.user_id,
        from_state=item.state,
        to_state=item.state,
        action="reschedule",
        comment=_("Moved on the calendar."),
        at=clock.now(),
    )
