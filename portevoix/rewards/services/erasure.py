"""A person's erasure, rewards' part (docs/decisions/0022-erasure.md): their redemptions
stay on the pseudonymous membership (the budget and the points spent count them) without
the free-text reason."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import Redemption


def member_erase(*, person: ErasedPerson) -> int:
    """Empty the reasons of the person's redemptions; returns how many changed."""
    return (
        scoped(Redemption, person.organization_id)
        .filter(membership_id=person.membership_id)
        .exclude(reason="")
        .update(reason="")
    )
