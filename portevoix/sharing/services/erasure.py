"""A person's erasure, sharing's part (docs/decisions/0022-erasure.md): their shares lose
the personalized text; the shares, tracked links, clicks and conversions stay on the
pseudonymous membership, so every count and rollup stays exactly the same."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import Share


def member_erase(*, person: ErasedPerson) -> int:
    """Empty the texts of the person's shares; returns how many shares changed."""
    return (
        scoped(Share, person.organization_id)
        .filter(membership_id=person.membership_id)
        .exclude(text="")
        .update(text="")
    )
