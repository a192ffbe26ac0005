"""Triage of the idea box (content managers, administrators and the advocacy board):
accept (a content draft for content and field insights), merge into another idea, decline
with a reason. Each decision is audited and announced inside its transaction
(`ideas.signals`), so recognition's points commit with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import can, require
from portevoix.content import services as content_services
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, PermissionDenied
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from .. import signals
from ..models import Idea, IdeaKind, IdeaStatus, IdeaVote

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The kinds an accepted idea turns into a content draft (a program improvement does not).
DRAFT_KINDS = frozenset({IdeaKind.CONTENT, IdeaKind.INSIGHT})
MAX_REASON = 2000


def _locked_open(membership: Membership, idea_id: int) -> Idea:
    idea = get_scoped(
        scoped(Idea, membership.organization).select_for_update(),
        membership.organization,
        pk=idea_id,
    )
    if idea.status != IdeaStatus.OPEN:
        raise Conflict(_("This idea was already triaged."))
    return idea


def _decide(membership: Membership, idea: Idea, status: str, reason: str = "") -> dict[str, str]:
    before = {"status": idea.status}
    idea.status = status
    idea.decided_at = clock.now()
    idea.decided_by = membership
    idea.decision_reason = reason
    return before


def _audit(membership: Membership, idea: Idea, action: str, before: dict[str, str]) -> None:
    after: dict[str, str | int | None] = {"status": idea.status}
    if idea.content_item_id:
        after["content_item"] = idea.content_item_id
    if idea.merged_into_id:
        after["merged_into"] = idea.merged_into_id
    if idea.decision_reason:
        after["reason"] = idea.decision_reason[:500]
    gates.audit_record(
        organization=membership.organization,
        actor=membership,
        action=action,
        object_type="idea",
        object_id=idea.pk,
        before=before,
        after=after,
    )


def _send(signal: object, idea: Idea, **extra: int) -> None:
    signal.send(  # type: ignore[attr-defined]
        sender=Idea,
        organization_id=idea.organization_id,
        idea_id=idea.pk,
        author_id=idea.author_id,
        at=idea.decided_at,
        **extra,
    )


def may_draft(membership: Membership, idea: Idea) -> bool:
    """Whether accepting `idea` is open to `membership`: a content draft needs the right to
    create content (an advocacy board member accepts the program's improvements)."""
    return idea.kind not in DRAFT_KINDS or can(membership, "content.create")


def _draft(membership: Membership, idea: Idea) -> int:
    author = idea.author.user.display_name
    body = idea.body + "\n\n" + _("Idea of %(name)s, from the idea box.") % {"name": author}
    language = membership.organization.default_language
    # A first LinkedIn copy from the idea, when it fits (the content manager rewrites it).
    copy = content_services.CopyData(
        "linkedin", "\n\n".join(part for part in (idea.title, idea.body, idea.link) if part)
    )
    copies = [] if content_services.validate_copies([copy]) else [copy]
    item = content_services.item_create(
        membership=membership,
        data=content_services.ItemData(
            title=idea.title,
            language=language if language in {"fr", "en"} else "fr",
            body=body.strip(),
            link=idea.link,
            copies=copies,
        ),
    )
    for image in idea.images.all():
        with image.file.open("rb") as handle:
            content_services.image_add(
                membership=membership,
                item=item,
                upload=UploadedFile(handle, name=image.file.name, size=image.file.size),
            )
    return item.pk


def idea_accept(*, membership: Membership, idea_id: int) -> Idea:
    """Accept an open idea: content and field insights become a content draft (credited to
    the idea's author, linked to the idea); the author earns the "idea accepted" points."""
    require(membership, "idea.triage")
    with transaction.atomic():
        idea = _locked_open(membership, idea_id)
        if not may_draft(membership, idea):
            raise PermissionDenied(_("Only a content manager can turn this idea into a draft."))
        before = _decide(membership, idea, IdeaStatus.ACCEPTED)
        if idea.kind in DRAFT_KINDS:
            idea.content_item_id = _draft(membership, idea)
        idea.save(
            update_fields=["status", "decided_at", "decided_by", "decision_reason", "content_item"]
        )
        _audit(membership, idea, "idea.accept", before)
        _send(signals.idea_accepted, idea)
    return idea


def idea_decline(*, membership: Membership, idea_id: int, reason: str) -> Idea:
    """Decline an open idea; the author is told why (a reason is required)."""
    require(membership, "idea.triage")
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Say why the idea is declined."),
            field_errors={"reason": [_("A reason is required.")]},
        )
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("The reason is too long."),
            field_errors={"reason": [_("At most %(count)d characters.") % {"count": MAX_REASON}]},
        )
    with transaction.atomic():
        idea = _locked_open(membership, idea_id)
        before = _decide(membership, idea, IdeaStatus.DECLINED, reason)
        idea.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        _audit(membership, idea, "idea.decline", before)
        _send(signals.idea_declined, idea)
    return idea


def idea_merge(*, membership: Membership, idea_id: int, into_id: int) -> Idea:
    """Merge a duplicate into another open idea: its voters vote for the other one (each
    counted once, the other idea's author never for their own idea)."""
    require(membership, "idea.triage")
    if idea_id == into_id:
        raise DomainError(
            _("An idea cannot be merged into itself."),
            field_errors={"into": [_("Choose another idea.")]},
        )
    with transaction.atomic():
        # Both rows locked, lowest id first, so two merges never wait on each other.
        first, second = sorted((idea_id, into_id))
        locked = {
            first: get_scoped(
                scoped(Idea, membership.organization).select_for_update(),
                membership.organization,
                pk=first,
            ),
        }
        locked[second] = get_scoped(
            scoped(Idea, membership.organization).select_for_update(),
            membership.organization,
            pk=second,
        )
        idea, target = locked[idea_id], locked[into_id]
        if idea.status != IdeaStatus.OPEN:
            raise Conflict(_("This idea was already triaged."))
        if target.status != IdeaStatus.OPEN:
            raise DomainError(
                _("Merge into an open idea."), field_errors={"into": [_("This idea is closed.")]}
            )
        votes = scoped(IdeaVote, membership.organization)
        already = set(votes.filter(idea=target).values_list("membership_id", flat=True))
        carried = [
            IdeaVote(
                organization=membership.organization,
                idea=target,
                membership_id=vote.membership_id,
                created_at=vote.created_at,
            )
            for vote in votes.filter(idea=idea)
            if vote.membership_id not in already and vote.membership_id != target.author_id
        ]
        IdeaVote.objects.bulk_create(carried, ignore_conflicts=True)
        votes.filter(idea=idea).delete()
        target.vote_count = votes.filter(idea=target).count()
        target.save(update_fields=["vote_count"])
        before = _decide(membership, idea, IdeaStatus.MERGED)
        idea.merged_into = target
        idea.vote_count = 0
        idea.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by",
                "decision_reason",
                "merged_into",
                "vote_count",
            ]
        )
        _audit(membership, idea, "idea.merge", before)
        _send(signals.idea_merged, idea, into_id=target.pk)
    return idea
