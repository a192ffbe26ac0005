"""Delegation: an executive lets an assistant prepare posts that wait for their approval."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped_or_404
from portevoix.governance import gates

from .. import selectors
from ..models import (
    Delegation,
    Post,
    PostState,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.publishing")

# --------------------------------------------------------------------------- delegation


@transaction.atomic
def delegation_grant(*, executive: Membership, assistant_id: int) -> Delegation:
    require(executive, "publishing.delegate")
    assistant = account_selectors.active_member(
        organization_id=executive.organization_id, pk=assistant_id
    )
    if assistant.pk == executive.pk:
        raise DomainError(
            _("Choose someone else."), field_errors={"assistant": [_("Choose someone else.")]}
        )
    found = selectors.active_delegation(executive=executive, assistant=assistant)
    if found is not None:
        return found
    delegation = Delegation.objects.create(
        organization_id=executive.organization_id,
        executive=executive,
        assistant=assistant,
        created_at=clock.now(),
    )
    gates.audit_record(
        organization=executive.organization,
        actor=executive,
        action="publishing.delegation_grant",
        object_type="delegation",
        object_id=delegation.pk,
        before=None,
        after={"assistant": assistant.user.email},
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, executive: Membership, delegation_id: int) -> None:
    delegation = get_scoped_or_404(
        Delegation, executive.organization_id, pk=delegation_id, executive=executive
    )
    if delegation.revoked_at is not None:
        return
    now = clock.now()
    Delegation.objects.filter(pk=delegation.pk).update(revoked_at=now)
    # What the assistant prepared and the executive has not approved goes no further.
    Post.objects.filter(
        membership=executive, prepared_by=delegation.assistant, state=PostState.AWAITING_APPROVAL
    ).update(state=PostState.CANCELLED, error=_("The delegation was withdrawn."))
    gates.audit_record(
        organization=executive.organization,
        actor=executive,
        action="publishing.delegation_revoke",
        object_type="delegation",
        object_id=delegation.pk,
        before={"assistant": delegation.assistant.user.email},
        after=None,
    )
