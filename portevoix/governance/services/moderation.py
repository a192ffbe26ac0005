"""Moderation: reports, decisions (audited), and the email that tells the author why."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from .. import selectors, signals
from ..gates import Removal, audit_record
from ..models import (
    CaseSource,
    CaseStatus,
    ModerationCase,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)

MAX_REASON_CHARS = 2_000


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    REMOVE = "remove"
    ALL = ("approve", "reject", "remove")
    STATUS = {
        "approve": CaseStatus.APPROVED,
        "reject": CaseStatus.REJECTED,
        "remove": CaseStatus.REMOVED,
    }


def moderation_report(
    *, membership: Membership, item_id: int | None = None, reason: str, share_id: int | None = None
) -> ModerationCase:
    """A member reports a content item they can see, or a share they can see (`share_id`: a
    colleague's post of an item, for those who see the organization's shares). Reporting it
    again while the case is open returns the same case."""
    require(membership, "content.report")
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Say what is wrong."), field_errors={"reason": [_("A reason is required.")]}
        )
    if len(reason) > MAX_REASON_CHARS:
        raise DomainError(
            _("The reason is too long."),
            field_errors={"reason": [_("At most %(max)d characters.") % {"max": MAX_REASON_CHARS}]},
        )
    org = membership.organization
    if share_id is not None:
        share = selectors.reportable_share(membership=membership, share_id=share_id)
        return _report_object(
            membership,
            object_type="sharing.share",
            object_id=str(share.pk),
            author=share.membership,
            text=share.text or _item_text(share.item),
            reason=reason,
        )
    if item_id is None:
        raise DomainError(
            _("Say which content item."), field_errors={"item": [_("Say which content item.")]}
        )
    item = selectors.reportable_item(membership=membership, item_id=item_id)
    author = (
        account_selectors.member_by_user(organization_id=org.pk, user_id=item.author_id)
        if item.author_id
        else None
    )
    return _report_object(
        membership,
        object_type="content.item",
        object_id=str(item.pk),
        author=author,
        text=_item_text(item),
        reason=reason,
    )


@transaction.atomic
def _report_object(
    membership: Membership,
    *,
    object_type: str,
    object_id: str,
    author: Membership | None,
    text: str,
    reason: str,
) -> ModerationCase:
    org = membership.organization
    existing = (
        scoped(ModerationCase, org)
        .filter(
            source=CaseSource.REPORT,
            object_type=object_type,
            object_id=object_id,
            reported_by=membership,
            status=CaseStatus.OPEN,
        )
        .first()
    )
    if existing is not None:
        return existing
    case = ModerationCase.objects.create(
        organization=org,
        source=CaseSource.REPORT,
        author=author,
        reported_by=membership,
        text=text,
        object_type=object_type,
        object_id=object_id,
        flag_reason=reason,
        created_at=clock.now(),
    )
    signals.announce_case_opened(case)
    return case


def _item_text(item: Any) -> str:
    parts = [item.title, item.body]
    return "\n\n".join(p for p in parts if p)


SHARE_TYPES = {"sharing.share", "share"}


def _remove_from_platform(case: ModerationCase, actor: Membership) -> str:
    """Take the object down, through the remover of the app that owns it
    (`settings.MODERATION_REMOVERS`: content archives an item, sharing marks a share
    removed). Returns a note for the moderator (what could be done)."""
    remove = selectors.moderation_remover(case.object_type)
    if remove is None:
        if case.object_type in SHARE_TYPES:
            return _("Sharing cannot remove shares yet: remove it on the network by hand.")
        return _("Marked as removed.")
    outcome = remove(actor=actor, object_id=case.object_id, comment=_("Removed by moderation."))
    if case.object_type == "content.item":
        return {
            Removal.GONE: _("The item no longer exists."),
            Removal.ALREADY_DONE: _("The item was already archived."),
        }.get(outcome, _("The item was archived: it left the ambassadors' feed."))
    if case.object_type in SHARE_TYPES:
        return _("The share was removed.")
    return _("Marked as removed.")


@transaction.atomic
def moderation_decide(
    *, actor: Membership, case: ModerationCase, decision: str, reason: str = ""
) -> ModerationCase:
    """Approve, reject (the author is told why) or remove (taken down from the platform,
    and from the network when the connector can; the author is told why)."""
    require(actor, "moderation.manage", case)
    if decision not in Decision.ALL:
        raise DomainError(
            _("Unknown decision."), field_errors={"decision": [_("Choose a decision.")]}
        )
    reason = reason.strip()
    if decision != Decision.APPROVE and not reason:
        raise DomainError(
            _("Tell the author why."), field_errors={"reason": [_("A reason is required.")]}
        )
    if len(reason) > MAX_REASON_CHARS:
        raise DomainError(
            _("The reason is too long."),
            field_errors={"reason": [_("At most %(max)d characters.") % {"max": MAX_REASON_CHARS}]},
        )
    case = ModerationCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise Conflict(_("This case was already decided."))
    before = case.snapshot()
    case.status = Decision.STATUS[decision]
    case.decision_reason = reason
    case.decided_by = actor.user
    case.decided_at = clock.now()
    fields = ["status", "decision_reason", "decided_by", "decided_at"]
    if decision == Decision.REMOVE:
        case.removal_note = _remove_from_platform(case, actor)[:300]
        fields.append("removal_note")
    case.save(update_fields=fields)
    audit_record(
        organization=case.organization,
        actor=actor,
        action=f"moderation.{decision}",
        object_type="governance.moderationcase",
        object_id=case.pk,
        before=before,
        after={
            **case.snapshot(),
            "object_type": case.object_type,
            "object_id": case.object_id,
        },
    )
    if decision != Decision.APPROVE and case.author_id is not None:
        case_id = case.pk
        transaction.on_commit(lambda: _queue_decision_email(case_id))
    decided = {
        "organization_id": case.organization_id,
        "case_id": case.pk,
        "source": case.source,
        "status": case.status,
        "author_id": case.author_id,
    }
    transaction.on_commit(lambda: signals.moderation_decided.send(sender=None, **decided))
    return case


def _queue_decision_email(case_id: int) -> None:
    from ..tasks import send_moderation_decision_email

    send_moderation_decision_email(case_id)


def moderation_decision_email_send(*, case_id: int) -> bool:
    """Tell the author of a rejected or removed text why, in their language. Sent once:
    a retry after success does nothing. Returns whether an email went out."""
    with transaction.atomic():
        case = (
            ModerationCase.objects.select_for_update(of=("self",))
            .select_related("author__user", "organization")
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.notified_at is not None or case.author is None:
            return False
        if case.status not in {CaseStatus.REJECTED, CaseStatus.REMOVED}:
            return False
        user = case.author.user
        language = user.language or case.organization.default_language or "en"
        with override(language):
            subject = _("About your text on %(org)s") % {"org": case.organization.name}
            if case.status == CaseStatus.REMOVED:
                intro = _("A moderator of %(org)s removed a text of yours from Portevoix.")
            else:
                intro = _("A moderator of %(org)s did not accept a text of yours.")
            body = "\n\n".join(
                [
                    intro % {"org": case.organization.name},
                    _("The text:") + "\n" + _quote(case.text),
                    _("The reason:") + "\n" + case.decision_reason,
                    _(
                        "If you have questions, answer your community manager. "
                        "Sharing stays voluntary: thank you for taking part."
                    ),
                ]
            )
        send_mail(subject, body, None, [user.email])
        case.notified_at = clock.now()
        case.save(update_fields=["notified_at"])
    logger.info("moderation.decision_emailed", extra={"organization_id": case.organization_id})
    return True


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])
