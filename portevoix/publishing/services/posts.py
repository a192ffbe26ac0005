"""Posts through a connected account: create (now, at a time, at the best time), edit,
cancel, approve or decline a delegate's post, retry."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped
from portevoix.governance import gates
from portevoix.sharing.services import share_compose

from .. import scheduling, selectors
from ..models import (
    OPEN_STATES,
    Connection,
    ConnectionStatus,
    Post,
    PostState,
    WhenMode,
)
from ..tasks import publish_post

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.publishing")

EDITABLE_STATES = (PostState.AWAITING_APPROVAL, PostState.SCHEDULED, PostState.HELD)
MAX_AHEAD = dt.timedelta(days=365)


@dataclass(frozen=True)
class PostDraft:
    connection_id: int
    item_id: int
    text: str | None = None
    variant_id: int | None = None
    when: str = WhenMode.NOW
    at: dt.datetime | None = None


def _local(when: dt.datetime, membership: Membership) -> str:
    local = when.astimezone(scheduling.tz_of(membership))
    return formats.date_format(local, "DATETIME_FORMAT")


def _connection_for(actor: Membership, connection_id: int) -> tuple[Connection, bool]:
    """The connection a post goes out on, and whether the actor posts as a delegate."""
    connection = (
        scoped(Connection, actor.organization_id)
        .select_related("membership__user")
        # One post at a time per account: the "one post per item" check that follows holds
        # against a double tap (SQLite's immediate transactions serialize them already).
        .select_for_update(of=("self",))
        .filter(pk=connection_id)
        .first()
    )
    if connection is None:
        raise NotFound(_("Not found."))
    if connection.membership_id == actor.pk:
        return connection, False
    if selectors.active_delegation(executive=connection.membership, assistant=actor) is None:
        raise NotFound(_("Not found."))
    return connection, True


def _slot(
    *, owner: Membership, network: str, when: str, at: dt.datetime | None, exclude: int | None
) -> tuple[dt.datetime, str]:
    """The time the post goes out, and a note when the platform chose or moved it."""
    now = clock.now()
    if when == WhenMode.BEST:
        best, note = scheduling.best_slot(
            membership=owner, network=network, now=now, exclude_post_id=exclude
        )
        # With no slot the rhythm accepts (none in two months), best_slot keeps the best
        # one and says why: never schedule beyond the rhythm.
        refused = scheduling.cadence_reasons(
            membership=owner, network=network, at=best, exclude_post_id=exclude
        )
        if refused:
            raise DomainError(
                _("The organization's posting rhythm leaves no free slot in the coming weeks."),
                field_errors={"at": refused},
            )
        return best, note
    if when == WhenMode.AT:
        if at is None:
            message = _("Choose a date and time.")
            raise DomainError(message, field_errors={"at": [message]})
        if at < now - dt.timedelta(minutes=1):
            message = _("This time is in the past.")
            raise DomainError(message, field_errors={"at": [message]})
        if at > now + MAX_AHEAD:
            message = _("At most a year ahead.")
            raise DomainError(message, field_errors={"at": [message]})
        slot = max(at, now)
    elif when == WhenMode.NOW:
        slot = now
    else:
        raise DomainError(_("Choose when to publish."), field_errors={"when": [_("Not valid.")]})
    reasons = scheduling.cadence_reasons(
        membership=owner, network=network, at=slot, exclude_post_id=exclude
    )
    if reasons:
        suggestion = scheduling.next_allowed(
            membership=owner, network=network, at=slot, exclude_post_id=exclude
        )
        messages = list(reasons)
        if suggestion is not None:
            messages.append(_("First free slot: %(when)s.") % {"when": _local(suggestion, owner)})
        raise DomainError(
            _("The organization's posting rhythm refuses this time."), field_errors={"at": messages}
        )
    return slot, ""


def _one_post_per_item(connection: Connection, item_id: int, exclude: int | None) -> None:
    qs = Post.objects.filter(
        connection=connection, item_id=item_id, state__in=[*OPEN_STATES, PostState.PUBLISHED]
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise Conflict(
            _(
                "This content is already scheduled or published on this account: "
                "edit that post instead."
            )
        )


def _enqueue(post: Post) -> None:
    if post.state == PostState.SCHEDULED and post.scheduled_at <= clock.now():
        post_id = post.pk
        transaction.on_commit(lambda: publish_post(post_id))


@transaction.atomic
def post_create(*, actor: Membership, draft: PostDraft) -> Post:
    """Publish through a connected account, now or later. The text goes through the same
    checks as a share (charter gates, network limit, guardrails). A post prepared by a
    delegate waits for the account owner's approval."""
    connection, delegated = _connection_for(actor, draft.connection_id)
    owner = connection.membership
    # The owner must be allowed to share (checked again by share_compose); a delegate acts
    # for the owner and needs no role of their own.
    require(owner, "share.create")
    if connection.status != ConnectionStatus.ACTIVE:
        raise DomainError(_("This account must be reconnected first."))
    composed = share_compose(
        membership=owner,
        item_id=draft.item_id,
        network=connection.network,
        text=draft.text,
        variant_id=draft.variant_id,
    )
    _one_post_per_item(connection, composed.item.pk, None)
    slot, note = _slot(
        owner=owner, network=connection.network, when=draft.when, at=draft.at, exclude=None
    )
    now = clock.now()
    post = Post.objects.create(
        organization_id=owner.organization_id,
        membership=owner,
        connection=connection,
        network=connection.network,
        item=composed.item,
        link=composed.link,
        text=composed.text,
        personalized=composed.personalized,
        mode=draft.when,
        scheduled_at=slot,
        schedule_note=note,
        state=PostState.AWAITING_APPROVAL if delegated else PostState.SCHEDULED,
        prepared_by=actor if delegated else None,
        created_at=now,
    )
    if composed.warned is not None:
        gates.moderation_flag(
            organization=owner.organization,
            author=owner,
            text=composed.text,
            reason="; ".join(f"{m.term}: {m.reason}" for m in composed.warned.matches),
            source="share",
            object_id=post.pk,
        )
    logger.info(
        "post_created post=%s network=%s when=%s delegated=%s",
        post.pk,
        post.network,
        draft.when,
        delegated,
    )
    if post.state == PostState.SCHEDULED and post.scheduled_at <= now:
        # Due now during a crisis pause: held at once (the ambassador is told why).
        pause = selectors.pause_holding(post)
        if pause is not None:
            Post.objects.filter(pk=post.pk).update(state=PostState.HELD, held_by=pause)
            post.state, post.held_by = PostState.HELD, pause
    _enqueue(post)
    return post


def _editable(actor: Membership, post_id: int) -> Post:
    post = get_scoped_or_404(
        Post.objects.select_related("connection", "membership"), actor.organization_id, pk=post_id
    )
    if post.membership_id != actor.pk and not (
        post.prepared_by_id == actor.pk
        and selectors.active_delegation(executive=post.membership, assistant=actor) is not None
    ):
        raise NotFound(_("Not found."))
    if post.state not in EDITABLE_STATES:
        raise Conflict(_("This post can no longer be changed."))
    return post


@transaction.atomic
def post_update(
    *, actor: Membership, post_id: int, text: str | None, when: str, at: dt.datetime | None
) -> Post:
    """Change the text or the time of a post that has not gone out yet. An edit by a
    delegate goes back to the owner for approval."""
    post = _editable(actor, post_id)
    owner = post.membership
    composed = share_compose(
        membership=owner, item_id=post.item_id, network=post.network, text=text
    )
    slot, note = _slot(owner=owner, network=post.network, when=when, at=at, exclude=post.pk)
    state = post.state
    if post.state == PostState.SCHEDULED or (
        post.state == PostState.AWAITING_APPROVAL and actor.pk == owner.pk
    ):
        state = PostState.SCHEDULED
    if actor.pk != owner.pk:
        state = PostState.AWAITING_APPROVAL
    updated = Post.objects.filter(pk=post.pk, state=post.state).update(
        text=composed.text,
        personalized=composed.personalized,
        mode=when,
        scheduled_at=slot,
        schedule_note=note,
        state=state,
        next_attempt_at=None,
        approved_at=None if state == PostState.AWAITING_APPROVAL else post.approved_at,
    )
    if not updated:
        raise Conflict(_("This post changed meanwhile; reload the page."))
    post.refresh_from_db()
    _enqueue(post)
    return post


@transaction.atomic
def post_cancel(*, actor: Membership, post_id: int) -> Post:
    post = _editable(actor, post_id)
    updated = Post.objects.filter(pk=post.pk, state__in=EDITABLE_STATES).update(
        state=PostState.CANCELLED,
        error=_("Cancelled by %(who)s.") % {"who": actor.user.display_name},
    )
    if not updated:
        raise Conflict(_("This post can no longer be changed."))
    post.refresh_from_db()
    return post


@transaction.atomic
def post_approve(*, actor: Membership, post_id: int) -> Post:
    """The account owner lets a post prepared by their assistant go out (at its time)."""
    post = get_scoped_or_404(Post, actor.organization_id, pk=post_id, membership=actor)
    if post.state != PostState.AWAITING_APPROVAL:
        raise Conflict(_("This post is not waiting for your approval."))
    now = clock.now()
    Post.objects.filter(pk=post.pk, state=PostState.AWAITING_APPROVAL).update(
        state=PostState.SCHEDULED, approved_at=now, scheduled_at=max(post.scheduled_at, now)
    )
    post.refresh_from_db()
    _enqueue(post)
    return post


@transaction.atomic
def post_decline(*, actor: Membership, post_id: int) -> Post:
    post = get_scoped_or_404(Post, actor.organization_id, pk=post_id, membership=actor)
    if post.state != PostState.AWAITING_APPROVAL:
        raise Conflict(_("This post is not waiting for your approval."))
    Post.objects.filter(pk=post.pk).update(
        state=PostState.CANCELLED, error=_("Declined by the account owner.")
    )
    post.refresh_from_db()
    return post


@transaction.atomic
def post_retry(*, actor: Membership, post_id: int) -> Post:
    """Try a failed post again (after a reconnect, say): back to scheduled, now."""
    post = get_scoped_or_404(Post, actor.organization_id, pk=post_id, membership=actor)
    if post.state != PostState.FAILED:
        raise Conflict(_("Only a failed post can be tried again."))
    Post.objects.filter(pk=post.pk, state=PostState.FAILED).update(
        state=PostState.SCHEDULED,
        scheduled_at=clock.now(),
        next_attempt_at=None,
        error="",
        attempts=0,
    )
    post.refresh_from_db()
    _enqueue(post)
    return post
