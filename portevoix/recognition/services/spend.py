"""Spending points (rewards, above recognition, calls these): a hold and its release.

A hold is one ledger row keyed by its caller ("redeem:<id>"): lifetime 0 (the boards do not
move), spendable -points. The member's all-time `PointTotal` row is locked
(`select_for_update`) while the balance is checked and the row written, so two holds can
never spend the same points (on SQLite the IMMEDIATE transactions serialize the writers).
A release is the hold's reversal ("reverse:<key>"), written once; the ledger stays
append-only. Both run in the caller's transaction: call them inside it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from ..models import PointEntry, PointTotal
from ..periods import ALL_TIME_START, local_day
from .ledger import _add_totals, points_reverse

HOLD_RULE = "redemption"


def spendable_locked(*, organization_id: int, membership_id: int) -> int:
    """The member's spendable points, their all-time total row locked until the end of the
    caller's transaction (0 when they never earned any)."""
    row = (
        scoped(PointTotal, organization_id)
        .select_for_update()
        .filter(membership_id=membership_id, period="all", start=ALL_TIME_START)
        .first()
    )
    return row.spendable if row is not None else 0


def points_hold(
    *,
    organization_id: int,
    membership_id: int,
    points: int,
    key: str,
    source_type: str,
    source_id: int,
    at: dt.datetime | None = None,
) -> PointEntry:
    """Hold `points` of the member's spendable points under `key` (unique). Raises
    DomainError when the balance is short, Conflict when `key` was already used."""
    if points <= 0:
        raise DomainError(_("The cost must be positive."))
    with transaction.atomic():
        balance = spendable_locked(organization_id=organization_id, membership_id=membership_id)
        if scoped(PointEntry, organization_id).filter(key=key).exists():
            raise Conflict(_("These points are already held."))
        if balance < points:
            raise DomainError(
                _("Not enough points: you have %(balance)s, this costs %(cost)s.")
                % {"balance": balance, "cost": points},
                field_errors={"reward": [_("Not enough points.")]},
            )
        at = at or clock.now()
        day = local_day(at)
        entry = PointEntry.objects.create(
            organization_id=organization_id,
            membership_id=membership_id,
            rule=HOLD_RULE,
            lifetime=0,
            spendable=-points,
            source_type=source_type[:30],
            source_id=source_id,
            key=key,
            at=at,
            day=day,
            created_at=clock.now(),
        )
        _add_totals(organization_id, membership_id, day, 0, -points)
    return entry


def points_release(*, organization_id: int, key: str) -> PointEntry | None:
    """Give back the points held under `key` (once: None when already released or never
    held)."""
    with transaction.atomic():
        hold = scoped(PointEntry, organization_id).filter(key=key, rule=HOLD_RULE).first()
        if hold is None:
            return None
        spendable_locked(organization_id=organization_id, membership_id=hold.membership_id)
        return points_reverse(organization_id=organization_id, key=key)
