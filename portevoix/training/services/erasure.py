"""A person's erasure, training's part (docs/decisions/0022-erasure.md): their certificates
stay (the "certified ambassadors" figure counts them) under their pseudonym; enrolments,
quiz attempts and registrations stay on the pseudonymous membership (course reports count
them)."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import Certificate


def member_erase(*, person: ErasedPerson) -> int:
    """Put the pseudonym on the person's certificates; returns how many changed."""
    return (
        scoped(Certificate, person.organization_id)
        .filter(membership_id=person.membership_id)
        .update(holder_name=person.pseudonym[:150], revoked_reason="")
    )
