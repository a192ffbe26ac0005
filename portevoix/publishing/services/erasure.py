"""A person's erasure, publishing's part (docs/decisions/0022-erasure.md).

Their connected accounts go: each network is asked to revoke the tokens once the erasure is
committed (best effort, as a disconnection does; the tokens never leave this process), the
rows are deleted at once, and what was waiting to go out is cancelled. Their posts stay on
the pseudonymous membership (engagement and reach are counted on them) without their text,
note, address on the network or error; delegations to and from them end; pending OAuth
states go.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

from portevoix import networks as connectors
from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped
from portevoix.networks.base import ConnectionCtx

from ..connections import client_credentials, client_needed, connection_context
from ..models import OPEN_STATES, Connection, Delegation, OAuthState, Post, PostState

logger = logging.getLogger(__name__)


def _revoke_on_commit(network: str, ctx: ConnectionCtx, organization_id: int) -> None:
    def revoke() -> None:
        try:
            connectors.get(network).revoke(ctx)
        except Exception:  # best effort: the tokens are deleted whatever the network says
            logger.warning(
                "erasure_revoke_failed organization=%s network=%s", organization_id, network
            )

    transaction.on_commit(revoke)


def member_erase(*, person: ErasedPerson) -> int:
    """Delete the person's connected accounts and empty their posts' texts; returns how
    many connections went."""
    org = person.organization_id
    connections = list(scoped(Connection, org).filter(membership_id=person.membership_id))
    for connection in connections:
        try:
            ctx = connection_context(connection)
            if client_needed(connection.network):
                ctx.client = client_credentials(org, connection.network, "")
        except Exception:  # unreadable tokens or no app: nothing to revoke
            logger.warning(
                "erasure_revoke_skipped organization=%s network=%s", org, connection.network
            )
        else:
            _revoke_on_commit(connection.network, ctx, org)
    posts = scoped(Post, org).filter(membership_id=person.membership_id)
    posts.filter(state__in=[s for s in OPEN_STATES if s != PostState.PUBLISHING]).update(
        state=PostState.CANCELLED
    )
    posts.update(text="", schedule_note="", remote_url="", error="")
    scoped(Connection, org).filter(membership_id=person.membership_id).delete()
    scoped(OAuthState, org).filter(membership_id=person.membership_id).delete()
    scoped(Delegation, org).filter(
        Q(executive_id=person.membership_id) | Q(assistant_id=person.membership_id)
    ).delete()
    return len(connections)
