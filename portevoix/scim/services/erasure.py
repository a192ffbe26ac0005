"""A person's erasure, directory provisioning's part (docs/decisions/0022-erasure.md): the
directory's copy of the person (user name, names, emails, external id) goes. Should the
identity provider send the same person again, they arrive as a new member.

No app imports scim: `on_member_erasing` receives `accounts.signals.member_erasing`, sent
inside the erasure's transaction."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import ScimUser


def member_erase(*, person: ErasedPerson) -> int:
    """Delete the directory's record of the person; returns how many rows went."""
    deleted, _ = (
        scoped(ScimUser, person.organization_id).filter(membership_id=person.membership_id).delete()
    )
    return deleted


def on_member_erasing(sender: object, *, person: ErasedPerson, **kwargs: object) -> None:
    member_erase(person=person)
