"""A person's erasure, recognition's part (docs/decisions/0022-erasure.md): their points,
badges and totals stay on the pseudonymous membership (the boards and team totals count
them); only the free-text reasons of manual adjustments go."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import PointEntry


def member_erase(*, person: ErasedPerson) -> int:
    """Empty the reasons written on the person's point entries; returns how many changed."""
    return (
        scoped(PointEntry, person.organization_id)
        .filter(membership_id=person.membership_id)
        .exclude(reason="")
        .update(reason="")
    )
