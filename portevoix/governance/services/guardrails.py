"""Guardrail rules: create, update, delete (each audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network

from .. import matching
from ..gates import audit_record
from ..models import (
    GuardrailRule,
    RuleAction,
    RuleKind,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_TERMS = 500
MAX_TERM_CHARS = 100
MAX_DISCLOSURE_CHARS = 60


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
