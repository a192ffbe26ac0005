"""Publishing from the feed card: share an item now or at the best time through one of the
member's own accounts, or schedule it on every account at its best time.

Everything goes through `post_create` (the share page's publish panel): the same text (the
network's first suggested copy, else the title, with the tracked link), the same gates
(charter, required courses), guardrails, publishing pause and posting rhythm. A second tap
creates nothing: the post already planned or published on the account is returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.tenancy import scoped
from portevoix.sharing.services import SharingBlocked

from .. import selectors
from ..models import OPEN_STATES, Connection, ConnectionStatus, Post, PostState, WhenMode
from .posts import PostDraft, post_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

CARD_MODES = (WhenMode.NOW, WhenMode.BEST)


@dataclass(frozen=True)
class CardOutcome:
    """What happened on one account."""

    connection: Connection
    # The post created, or the one that was already there (`created` False); None when
    # the account was skipped (`refusal` says why).
    post: Post | None
    created: bool
    refusal: str = ""
    # The pause that holds the post for now, if any.
    paused_reason: str = ""


def _own_connections(actor: Membership, connection_id: int | None = None) -> list[Connection]:
    """The actor's own accounts, locked for the time of the transaction (a double tap waits
    for the first one, then finds its post)."""
    qs = scoped(Connection, actor.organization_id).filter(membership_id=actor.pk)
    if connection_id is not None:
        qs = qs.filter(pk=connection_id)
    else:
        qs = qs.filter(status=ConnectionStatus.ACTIVE)
    return list(qs.select_for_update().order_by("network", "handle", "pk"))


def _existing(connection: Connection, item_id: int) -> Post | None:
    return (
        Post.objects.filter(
            connection=connection, item_id=item_id, state__in=[*OPEN_STATES, PostState.PUBLISHED]
        )
        .order_by("-pk")
        .first()
    )


def refusal_text(exc: DomainError) -> str:
    """The error and its details (the rhythm's reasons, the first free slot) in one line."""
    details = [m for messages in exc.field_errors.values() for m in messages]
    return " ".join([exc.message, *(m for m in details if m != exc.message)])


def _pause_reason(post: Post) -> str:
    if post.state == PostState.HELD and post.held_by is not None:
        return post.held_by.reason
    if post.state == PostState.SCHEDULED:
        pause = selectors.pause_holding(post)
        if pause is not None:
            return pause.reason
    return ""


def _publish_one(actor: Membership, connection: Connection, item_id: int, when: str) -> CardOutcome:
    found = _existing(connection, item_id)
    if found is not None:
        return CardOutcome(connection=connection, post=found, created=False)
    post = post_create(
        actor=actor,
        draft=PostDraft(connection_id=connection.pk, item_id=item_id, text=None, when=when),
    )
    return CardOutcome(
        connection=connection, post=post, created=True, paused_reason=_pause_reason(post)
    )


@transaction.atomic
def card_publish(*, actor: Membership, item_id: int, connection_id: int, when: str) -> CardOutcome:
    """Share `item_id` through one of the actor's own accounts, now or at the best time.
    Raises NotFound for an account that is not theirs (or an item out of reach),
    SharingBlocked / DomainError when a gate, the text or the rhythm refuses."""
    require(actor, "share.create")
    if when not in CARD_MODES:
        raise DomainError(_("Choose when to publish."), field_errors={"when": [_("Not valid.")]})
    found = _own_connections(actor, connection_id)
    if not found:
        raise NotFound(_("Not found."))
    return _publish_one(actor, found[0], item_id, when)


@transaction.atomic
def card_publish_all(*, actor: Membership, item_id: int) -> list[CardOutcome]:
    """Schedule `item_id` on each of the actor's active accounts at that account's best time
    within the posting rhythm (a slot the rhythm refuses moves to the next one it accepts;
    an account with none in the coming weeks is skipped, and says why). Accounts that
    already have this item planned or published keep their post. A gate that stops the
    member (charter, course) stops everything: nothing is created."""
    require(actor, "share.create")
    connections = _own_connections(actor)
    if not connections:
        raise DomainError(_("Connect an account first."))
    outcomes = []
    for connection in connections:
        try:
            with transaction.atomic():
                outcomes.append(_publish_one(actor, connection, item_id, WhenMode.BEST))
        except (PermissionDenied, NotFound, SharingBlocked):
            raise
        except DomainError as exc:
            outcomes.append(
                CardOutcome(
                    connection=connection, post=None, created=False, refusal=refusal_text(exc)
                )
            )
    return outcomes
