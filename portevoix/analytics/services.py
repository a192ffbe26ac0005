"""Writes of analytics: an ambassador's choice to appear in the top ambassadors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import scoped

from .models import Visibility

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@transaction.atomic
def ranking_visibility_set(*, actor: Membership, in_rankings: bool) -> Visibility:
    """The acting member shows or hides their name in the top ambassadors. Idempotent:
    setting the same choice again changes nothing."""
    require(actor, "analytics.view_own")
    row = (
        scoped(Visibility, actor.organization_id)
        .select_for_update()
        .filter(membership_id=actor.pk)
        .first()
    )
    if row is None:
        return Visibility.objects.create(
            organization_id=actor.organization_id,
            membership_id=actor.pk,
            in_rankings=in_rankings,
            updated_at=clock.now(),
        )
    if row.in_rankings != in_rankings:
        row.in_rankings = in_rankings
        row.updated_at = clock.now()
        row.save(update_fields=["in_rankings", "updated_at"])
    return row
