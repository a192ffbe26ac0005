"""Writes of the content calendar: make and revoke a member's iCalendar feed address."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from portevoix.accounts import frame
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from .models import CalendarFeedToken

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedFeed:
    token: CalendarFeedToken
    secret: str  # shown once, never stored


def _active(membership: Membership) -> QuerySet[CalendarFeedToken]:
    return scoped(CalendarFeedToken, membership.organization_id).filter(
        membership_id=membership.pk, revoked_at__isnull=True
    )


def _shown_elsewhere(membership: Membership) -> None:
    """The member's calendar page shows their feed address outside its kept body: a new or
    revoked address moves the member's frame version, which names their kept whole pages
    (docs/decisions/0036-page-body-cache.md), so no page shows the address before."""
    frame.bump_member(membership_id=membership.pk, organization_id=membership.organization_id)


@transaction.atomic
def feed_token_create(*, membership: Membership) -> IssuedFeed:
    """A new secret feed address for the member; the previous one stops working."""
    require(membership, "calendar.view")
    now = clock.now()
    _active(membership).update(revoked_at=now)
    secret = secrets.token_urlsafe(32)
    token = CalendarFeedToken.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        token_hash=token_hash(secret),
        prefix=secret[:6],
        created_at=now,
    )
    _shown_elsewhere(membership)
    return IssuedFeed(token=token, secret=secret)


@transaction.atomic
def feed_token_revoke(*, membership: Membership) -> int:
    """Stop the member's feed address. Idempotent: answers how many were revoked."""
    revoked = int(_active(membership).update(revoked_at=clock.now()))
    if revoked:
        _shown_elsewhere(membership)
    return revoked


def feed_token_touch(token: CalendarFeedToken) -> None:
    """Note the feed's use, at most hourly (calendar apps poll often)."""
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def member_erase(*, person: ErasedPerson) -> int:
    """A person's erasure, the calendar's part (docs/decisions/0022-erasure.md): their feed
    tokens go. Called by the receiver of `accounts.signals.member_erasing` (no app imports
    planning). Returns how many rows went."""
    deleted, _rows = (
        scoped(CalendarFeedToken, person.organization_id)
        .filter(membership_id=person.membership_id)
        .delete()
    )
    return deleted


def on_member_erasing(sender: object, *, person: ErasedPerson, **kwargs: object) -> None:
    member_erase(person=person)
