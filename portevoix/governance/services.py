"""Every write of the governance app: charter versions and acknowledgements, guardrail rules,
moderation decisions and reports. Each admin or moderation action writes an audit entry in
the same transaction (`gates.audit_record`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.accounts.models import Membership
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from . import matching, selectors
from .gates import audit_record
from .models import (
    CaseSource,
    CaseStatus,
    CharterAcknowledgement,
    CharterStatus,
    CharterVersion,
    GuardrailRule,
    ModerationCase,
    RuleAction,
    RuleKind,
)

logger = logging.getLogger(__name__)

MAX_CHARTER_CHARS = 100_000
MAX_SUMMARY_CHARS = 5_000
MAX_TERMS = 500
MAX_TERM_CHARS = 100
MAX_DISCLOSURE_CHARS = 60
MAX_REASON_CHARS = 2_000


# --- Charter


def _charter_snapshot(version: CharterVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "body_fr": version.body_fr,
        "body_en": version.body_en,
        "summary_of_changes": version.summary_of_changes,
    }


def _validate_bodies(body_fr: str, body_en: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, body in (("body_fr", body_fr), ("body_en", body_en)):
        if len(body) > MAX_CHARTER_CHARS:
            errors[name] = [_("At most %(max)d characters.") % {"max": MAX_CHARTER_CHARS}]
    return errors


def _draft(version: CharterVersion) -> CharterVersion:
    locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_draft:
        raise Conflict(_("A published version never changes: write a new version instead."))
    return locked


@transaction.atomic
def charter_draft_create(
    *, actor: Membership, body_fr: str | None = None, body_en: str | None = None
) -> CharterVersion:
    """Start the next version, as a draft. Without bodies, it starts from the current
    version's text. There is at most one draft at a time."""
    require(actor, "charter.manage")
    org = actor.organization
    # Serialize concurrent creations on the organization row.
    type(org).objects.select_for_update().filter(pk=org.pk).first()
    existing = scoped(CharterVersion, org).filter(status=CharterStatus.DRAFT)
    if existing.exists():
        raise Conflict(_("A draft version exists already: edit it or delete it first."))
    current = selectors.current_charter(org)
    body_fr = body_fr if body_fr is not None else (current.body_fr if current else "")
    body_en = body_en if body_en is not None else (current.body_en if current else "")
    errors = _validate_bodies(body_fr, body_en)
    if errors:
        raise DomainError(_("The charter has errors."), field_errors=errors)
    highest = scoped(CharterVersion, org).aggregate(n=Max("number"))["n"]
    version = CharterVersion.objects.create(
        organization=org,
        number=(highest or 0) + 1,
        body_fr=body_fr,
        body_en=body_en,
        created_by=actor.user,
    )
    audit_record(
        organization=org,
        actor=actor,
        action="charter.draft_create",
        object_type="governance.charterversion",
        object_id=version.pk,
        before=None,
        after=_charter_snapshot(version),
    )
    return version


@transaction.atomic
def charter_draft_update(
    *, actor: Membership, version: CharterVersion, body_fr: str, body_en: str
) -> CharterVersion:
    require(actor, "charter.manage", version)
    version = _draft(version)
    errors = _validate_bodies(body_fr, body_en)
    if errors:
        raise DomainError(_("The charter has errors."), field_errors=errors)
    before = _charter_snapshot(version)
    version.body_fr = body_fr
    version.body_en = body_en
    version.save(update_fields=["body_fr", "body_en", "updated_at"])
    if before != _charter_snapshot(version):
        audit_record(
            organization=version.organization,
            actor=actor,
            action="charter.draft_update",
            object_type="governance.charterversion",
            object_id=version.pk,
            before=before,
            after=_charter_snapshot(version),
        )
    return version


@transaction.atomic
def charter_draft_delete(*, actor: Membership, version: CharterVersion) -> None:
    require(actor, "charter.manage", version)
    version = _draft(version)
    before = _charter_snapshot(version)
    pk = version.pk
    version.delete()
    audit_record(
        organization=actor.organization,
        actor=actor,
        action="charter.draft_delete",
        object_type="governance.charterversion",
        object_id=pk,
        before=before,
        after=None,
    )


@transaction.atomic
def charter_publish(
    *, actor: Membership, version: CharterVersion, summary_of_changes: str
) -> CharterVersion:
    """Publish a draft: it becomes the current charter, and every member is asked to read
    and accept it (the summary of changes says what is new)."""
    require(actor, "charter.manage", version)
    version = _draft(version)
    summary = summary_of_changes.strip()
    errors: dict[str, list[str]] = {}
    if not version.body_fr.strip() and not version.body_en.strip():
        errors["body_fr"] = [_("Write the charter in French, in English or both.")]
    previous = selectors.current_charter(version.organization)
    if previous is not None and not summary:
        errors["summary_of_changes"] = [_("Say what changed since version %(number)s.")]
        errors["summary_of_changes"][0] %= {"number": previous.number}
    if len(summary) > MAX_SUMMARY_CHARS:
        errors["summary_of_changes"] = [
            _("At most %(max)d characters.") % {"max": MAX_SUMMARY_CHARS}
        ]
    if errors:
        raise DomainError(_("This version cannot be published yet."), field_errors=errors)
    before = _charter_snapshot(version)
    version.summary_of_changes = summary
    version.status = CharterStatus.PUBLISHED
    version.published_at = clock.now()
    version.published_by = actor.user
    version.save(
        update_fields=[
            "summary_of_changes",
            "status",
            "published_at",
            "published_by",
            "updated_at",
        ]
    )
    audit_record(
        organization=version.organization,
        actor=actor,
        action="charter.publish",
        object_type="governance.charterversion",
        object_id=version.pk,
        before=before,
        after=_charter_snapshot(version),
    )
    return version


def charter_acknowledge(
    *, membership: Membership, version: CharterVersion | None = None
) -> CharterAcknowledgement:
    """The member read and accepts the current charter. `version` (when given) must be the
    current one: accepting a version that was just replaced is refused (409)."""
    require(membership, "charter.acknowledge")
    current = selectors.current_charter(membership.organization)
    if current is None:
        raise NotFound(_("The organization has not published a charter yet."))
    if version is not None and version.pk != current.pk:
        raise Conflict(_("A newer version of the charter was published: read it before accepting."))
    existing = CharterAcknowledgement.objects.filter(membership=membership, version=current)
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CharterAcknowledgement.objects.create(
                organization=membership.organization,
                membership=membership,
                version=current,
                at=clock.now(),
            )
    except IntegrityError:  # accepted twice at the same moment
        return existing.get()


# --- Guardrail rules


@dataclass
class RuleData:
    kind: str
    action: str = RuleAction.WARN
    terms: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)
    disclosures: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    active: bool = True


def _clean_rule(data: RuleData) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in RuleKind.values:
        errors["kind"] = [_("Unknown kind of rule.")]
    if data.action not in RuleAction.values:
        errors["action"] = [_("Choose block or warn.")]
    networks = sorted({n.strip() for n in data.networks if n.strip()})
    if any(n not in Network.ALL for n in networks):
        errors["networks"] = [_("Unknown network.")]
    terms: list[str] = []
    domains: list[str] = []
    disclosures: dict[str, str] = {}
    if data.kind in matching.TERM_KINDS:
        seen: set[tuple[str, ...]] = set()
        for term in data.terms:
            term = " ".join(term.split())
            if not term:
                continue
            key = matching.term_words(term)
            if not key:
                errors["terms"] = [
                    _("“%(term)s” has no letter or digit to look for.") % {"term": term}
                ]
                break
            if len(term) > MAX_TERM_CHARS:
                errors["terms"] = [_("Each term has at most %(max)d characters.")]
                errors["terms"][0] %= {"max": MAX_TERM_CHARS}
                break
            if key not in seen:
                seen.add(key)
                terms.append(term)
        if not terms and "terms" not in errors:
            errors["terms"] = [_("Give at least one word or expression.")]
        if len(terms) > MAX_TERMS:
            errors["terms"] = [_("At most %(max)d terms per rule.") % {"max": MAX_TERMS}]
    elif data.kind == matching.LINK_DOMAIN:
        for value in data.allowed_domains:
            if not value.strip():
                continue
            domain = matching.clean_domain(value)
            if not domain or "." not in domain or " " in domain:
                errors["allowed_domains"] = [
                    _("“%(value)s” is not a domain name.") % {"value": value.strip()}
                ]
                break
            if domain not in domains:
                domains.append(domain)
        if not domains and "allowed_domains" not in errors:
            errors["allowed_domains"] = [_("Give at least one allowed domain.")]
    elif data.kind == matching.DISCLOSURE:
        for network, text in data.disclosures.items():
            text = " ".join(str(text).split())
            if not text:
                continue
            if network != matching.ANY_NETWORK and network not in Network.ALL:
                errors[f"disclosures.{network}"] = [_("Unknown network.")]
            elif len(text) > MAX_DISCLOSURE_CHARS:
                errors[f"disclosures.{network}"] = [
                    _("At most %(max)d characters.") % {"max": MAX_DISCLOSURE_CHARS}
                ]
            else:
                disclosures[network] = text
        if not disclosures and not any(k.startswith("disclosures") for k in errors):
            errors["disclosures"] = [_("Give the disclosure for at least one network.")]
    reason = " ".join(data.reason.split())
    if len(reason) > 300:
        errors["reason"] = [_("At most %(max)d characters.") % {"max": 300}]
    cleaned = {
        "kind": data.kind,
        "action": data.action,
        "terms": terms,
        "networks": networks,
        "allowed_domains": domains,
        "disclosures": disclosures,
        "reason": reason,
        "active": bool(data.active),
    }
    return cleaned, errors


@transaction.atomic
def rule_create(*, actor: Membership, data: RuleData) -> GuardrailRule:
    require(actor, "guardrails.manage")
    cleaned, errors = _clean_rule(data)
    if errors:
        raise DomainError(_("The rule has errors."), field_errors=errors)
    rule = GuardrailRule.objects.create(organization=actor.organization, **cleaned)
    audit_record(
        organization=actor.organization,
        actor=actor,
        action="guardrail.create",
        object_type="governance.guardrailrule",
        object_id=rule.pk,
        before=None,
        after=rule.snapshot(),
    )
    return rule


@transaction.atomic
def rule_update(*, actor: Membership, rule: GuardrailRule, data: RuleData) -> GuardrailRule:
    require(actor, "guardrails.manage", rule)
    rule = GuardrailRule.objects.select_for_update().get(pk=rule.pk)
    cleaned, errors = _clean_rule(data)
    if errors:
        raise DomainError(_("The rule has errors."), field_errors=errors)
    before = rule.snapshot()
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.save(update_fields=[*cleaned, "updated_at"])
    if before != rule.snapshot():
        audit_record(
            organization=rule.organization,
            actor=actor,
            action="guardrail.update",
            object_type="governance.guardrailrule",
            object_id=rule.pk,
            before=before,
            after=rule.snapshot(),
        )
    return rule


@transaction.atomic
def rule_delete(*, actor: Membership, rule: GuardrailRule) -> None:
    require(actor, "guardrails.manage", rule)
    before = rule.snapshot()
    pk = rule.pk
    rule.delete()
    audit_record(
        organization=actor.organization,
        actor=actor,
        action="guardrail.delete",
        object_type="governance.guardrailrule",
        object_id=pk,
        before=before,
        after=None,
    )


# --- Moderation


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


def moderation_report(*, membership: Membership, item_id: int, reason: str) -> ModerationCase:
    """A member reports a content item they can see. Reporting it again while the case is
    open returns the same case."""
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
    item = selectors.reportable_item(membership=membership, item_id=item_id)
    org = membership.organization
    with transaction.atomic():
        existing = (
            scoped(ModerationCase, org)
            .filter(
                source=CaseSource.REPORT,
                object_type="content.item",
                object_id=str(item.pk),
                reported_by=membership,
                status=CaseStatus.OPEN,
            )
            .first()
        )
        if existing is not None:
            return existing
        author = (
            scoped(Membership, org).filter(user_id=item.author_id).first()
            if item.author_id
            else None
        )
        return ModerationCase.objects.create(
            organization=org,
            source=CaseSource.REPORT,
            author=author,
            reported_by=membership,
            text=_item_text(item),
            object_type="content.item",
            object_id=str(item.pk),
            flag_reason=reason,
            created_at=clock.now(),
        )


def _item_text(item: Any) -> str:
    parts = [item.title, item.body]
    return "\n\n".join(p for p in parts if p)


def _remove_from_platform(case: ModerationCase, actor: Membership) -> str:
    """Take the object down. Returns a note for the moderator (what could be done)."""
    if case.object_type == "content.item":
        from portevoix.content import selectors as content_selectors
        from portevoix.content import services as content_services
        from portevoix.content.models import State

        try:
            item = content_selectors.item_for_editor(membership=actor, pk=int(case.object_id))
        except (NotFound, ValueError):  # the item is gone
            return _("The item no longer exists.")
        if item.state == State.ARCHIVED:
            return _("The item was already archived.")
        content_services.item_archive(
            membership=actor, item=item, comment=_("Removed by moderation.")
        )
        return _("The item was archived: it left the ambassadors' feed.")
    if case.object_type in {"sharing.share", "share"}:
        try:
            from portevoix.sharing import services as sharing_services
        except ImportError:
            return _("Sharing cannot remove shares yet: remove it on the network by hand.")
        remove = getattr(sharing_services, "share_remove", None)
        if remove is None:
            return _("Sharing cannot remove shares yet: remove it on the network by hand.")
        outcome = remove(share_id=int(case.object_id), actor=actor)
        return str(outcome) if isinstance(outcome, str) else _("The share was removed.")
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
    return case


def _queue_decision_email(case_id: int) -> None:
    from .tasks import send_moderation_decision_email

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
