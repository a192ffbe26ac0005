"""A person's erasure, the surveys' part (docs/decisions/0022-erasure.md): their free-text
answers to surveys that were not anonymous lose the text; choices and numbers stay on the
pseudonymous response, so every result is unchanged. Anonymous answers are linked to
nobody (decision 0008): there is nothing of the person to find among them."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import Answer


def member_erase(*, person: ErasedPerson) -> int:
    """Empty the person's named free-text answers; returns how many changed."""
    return (
        scoped(Answer, person.organization_id)
        .filter(response__membership_id=person.membership_id, response__survey__anonymous=False)
        .exclude(text="")
        .update(text="")
    )
