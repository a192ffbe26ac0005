"""Posting ideas and comments, and voting: every member, behind the charter gate and the
organization's guardrails."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core import images as image_check
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from ..models import Idea, IdeaComment, IdeaImage, IdeaKind, IdeaStatus, IdeaVote

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_IMAGES = 4
MAX_TITLE = 200
MAX_BODY = 4000
MAX_COMMENT = 2000


class IdeaBlocked(DomainError):
    """The member may not post yet: the current charter is not accepted."""

    status = 403

    def __init__(self, blockers: Sequence[gates.Blocker]):
        self.blockers = list(blockers)
        lines = [b.message for b in self.blockers]
        super().__init__(
            _("Accept the charter before you post: %(reasons)s") % {"reasons": " ".join(lines)},
            field_errors={"blockers": lines},
        )


@dataclass
class IdeaData:
    kind: str
    title: str
    body: str = ""
    link: str = ""


def charter_blockers(membership: Membership) -> list[gates.Blocker]:
    """The charter gate as sharing applies it (`gates.sharing_blockers`), the charter only:
    the courses required before sharing do not hold back an idea."""
    return [b for b in gates.sharing_blockers(membership) if b.code == "charter"]


def _check_gate(membership: Membership) -> None:
    blockers = charter_blockers(membership)
    if blockers:
        raise IdeaBlocked(blockers)


# Rules about what goes out publicly (a disclosure to add, the sites to link to) do not
# apply to an idea or a comment, which stay inside the organization.
PUBLIC_ONLY_KINDS = frozenset({"disclosure", "link_domain"})


def _check_guardrails(membership: Membership, texts: dict[str, str]) -> list[str]:
    """Refuse a text that breaks a blocking guardrail (field errors keyed as the form's
    fields); answer the warnings, for the moderators."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    for name, text in texts.items():
        if not text.strip():
            continue
        result = gates.guardrails_check(organization=membership.organization, text=text, network="")
        matches = [m for m in result.matches if m.kind not in PUBLIC_ONLY_KINDS]
        blocking = [gates.describe(m) for m in matches if m.action == "block"]
        if blocking:
            errors[name] = list(dict.fromkeys(blocking))
        else:
            warnings += [gates.describe(m) for m in matches if m.action == "warn"]
    if errors:
        raise DomainError(_("The text goes against the social media charter."), field_errors=errors)
    return warnings


def _validate(data: IdeaData, images: Sequence[UploadedFile]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in IdeaKind.values:
        errors["kind"] = [_("Choose a kind of idea.")]
    if not data.title.strip():
        errors["title"] = [_("A title is required.")]
    elif len(data.title) > MAX_TITLE:
        errors["title"] = [_("At most %(count)d characters.") % {"count": MAX_TITLE}]
    if len(data.body) > MAX_BODY:
        errors["body"] = [_("At most %(count)d characters.") % {"count": MAX_BODY}]
    if data.link and not data.link.lower().startswith(("http://", "https://")):
        errors["link"] = [_("The link must start with http:// or https://.")]
    if data.kind != IdeaKind.CONTENT and (data.link or images):
        errors["kind"] = [_("Only content to share takes a link and images.")]
    if len(images) > MAX_IMAGES:
        errors["images"] = [_("At most %(count)d images.") % {"count": MAX_IMAGES}]
    return errors


def idea_post(
    *, membership: Membership, data: IdeaData, images: Sequence[UploadedFile] = ()
) -> Idea:
    """Post an idea. Refused (nothing saved) behind the charter gate, on invalid fields or
    images, and on a blocking guardrail; a warning sends it to the moderators."""
    require(membership, "idea.post")
    _check_gate(membership)
    errors = _validate(data, images)
    if errors:
        raise DomainError(_("The idea has errors."), field_errors=errors)
    formats = [image_check.checked_image_format(upload, field="images") for upload in images]
    warnings = _check_guardrails(membership, {"title": data.title, "body": data.body})
    with transaction.atomic():
        idea = Idea.objects.create(
            organization=membership.organization,
            author=membership,
            kind=data.kind,
            title=data.title.strip(),
            body=data.body.strip(),
            link=data.link.strip(),
            created_at=clock.now(),
        )
        for position, (upload, fmt) in enumerate(zip(images, formats, strict=True)):
            image = IdeaImage(idea=idea, position=position)
            image.file.save(f"image.{image_check.EXTENSIONS[fmt]}", upload, save=False)
            image.save()
        if warnings:
            gates.moderation_flag(
                organization=membership.organization,
                author=membership,
                text=f"{idea.title}\n\n{idea.body}",
                reason=" ".join(warnings),
                source="ideas.idea",
                object_id=idea.pk,
            )
    return idea


def idea_comment(*, membership: Membership, idea_id: int, body: str) -> IdeaComment:
    require(membership, "idea.post")
    idea = get_scoped(Idea, membership.organization, pk=idea_id)
    _check_gate(membership)
    body = body.strip()
    if not body:
        raise DomainError(_("Write a comment."), field_errors={"body": [_("Write a comment.")]})
    if len(body) > MAX_COMMENT:
        raise DomainError(
            _("The comment is too long."),
            field_errors={"body": [_("At most %(count)d characters.") % {"count": MAX_COMMENT}]},
        )
    warnings = _check_guardrails(membership, {"body": body})
    with transaction.atomic():
        comment = IdeaComment.objects.create(
            organization=membership.organization,
            idea=idea,
            author=membership,
            body=body,
            created_at=clock.now(),
        )
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        if warnings:
            gates.moderation_flag(
                organization=membership.organization,
                author=membership,
                text=body,
                reason=" ".join(warnings),
                source="ideas.comment",
                object_id=comment.pk,
            )
    return comment


def idea_vote(*, membership: Membership, idea_id: int, vote: bool) -> Idea:
    """Vote for an open idea of a colleague (`vote=False` takes the vote back). Idempotent:
    voting twice, even at the same moment, counts once (one row per idea and member, and
    the count recomputed from the rows under the idea's lock)."""
    require(membership, "idea.post")
    with transaction.atomic():
        idea = get_scoped(
            scoped(Idea, membership.organization).select_for_update(),
            membership.organization,
            pk=idea_id,
        )
        if idea.status != IdeaStatus.OPEN:
            raise Conflict(_("Only open ideas take votes."))
        if idea.author_id == membership.pk:
            raise DomainError(_("You cannot vote for your own idea."))
        votes = scoped(IdeaVote, membership.organization).filter(idea=idea)
        if vote:
            try:
                with transaction.atomic():
                    IdeaVote.objects.create(
                        organization=membership.organization,
                        idea=idea,
                        membership=membership,
                        created_at=clock.now(),
                    )
            except IntegrityError:
                pass  # already counted
        else:
            votes.filter(membership=membership).delete()
        idea.vote_count = votes.count()
        idea.save(update_fields=["vote_count"])
    return idea
