"""API router of governance's writing (in the `governance` area, mounted beside
governance's own router): the charter's versions (write a draft, change it, publish it,
delete it: `charter.manage`, administrators) and the guardrail rules (`guardrails.manage`,
community managers). What /governance/charter/versions/ and /governance/guardrails/ offer,
through the same selectors and services (audited there); another organization's version
or rule is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import DbId, StrictBool, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import CharterStatus, CharterVersion, GuardrailRule, RuleAction, RuleKind
from .services.charter import MAX_CHARTER_CHARS, MAX_SUMMARY_CHARS
from .services.guardrails import MAX_DISCLOSURE_CHARS, MAX_TERM_CHARS, MAX_TERMS

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["governance"])


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _enum(values: list[str] | tuple[str, ...]) -> JsonDict:
    return {"enum": list(values)}


# --- Schemas


class CharterVersionIn(Schema):
    body_fr: Text | None = Field(
        None, max_length=MAX_CHARTER_CHARS, description="Markdown; left out: the current text"
    )
    body_en: Text | None = Field(
        None, max_length=MAX_CHARTER_CHARS, description="Markdown; left out: the current text"
    )


class CharterVersionUpdateIn(Schema):
    body_fr: Text = Field(..., max_length=MAX_CHARTER_CHARS, description="Markdown")
    body_en: Text = Field(..., max_length=MAX_CHARTER_CHARS, description="Markdown")


class CharterPublishIn(Schema):
    summary_of_changes: Text = Field(
        "", max_length=MAX_SUMMARY_CHARS, description="Required once a version was published"
    )


class CharterVersionOut(Schema):
    id: int
    number: int
    status: str = Field(..., json_schema_extra=_enum(CharterStatus.values))
    body_fr: str
    body_en: str
    summary_of_changes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None


class GuardrailRuleIn(Schema):
    """A guardrail rule, whole (PUT replaces every field). Which fields count depends on
    the kind: `terms` for blocked_term, avoid_word and competitor; `allowed_domains` for
    link_domain; `disclosures` ({network or "*": text}) for disclosure."""

    kind: Text = Field(..., max_length=20, json_schema_extra=_enum(RuleKind.values))
    action: Text = Field(RuleAction.WARN, max_length=10, json_schema_extra=_enum(RuleAction.values))
    terms: list[Annotated[Text, Field(max_length=MAX_TERM_CHARS)]] = Field([], max_length=MAX_TERMS)
    networks: list[Annotated[Text, Field(max_length=20)]] = Field(
        [], max_length=20, description="Empty: every network, and texts without one"
    )
    allowed_domains: list[Annotated[Text, Field(max_length=253)]] = Field([], max_length=MAX_TERMS)
    disclosures: dict[
        Annotated[Text, Field(max_length=20)],
        Annotated[Text, Field(max_length=MAX_DISCLOSURE_CHARS)],
    ] = Field({}, max_length=20)
    reason: Text = Field("", max_length=300, description="The message to the writer")
    active: StrictBool = True


class GuardrailRuleOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra=_enum(RuleKind.values))
    action: str = Field(..., json_schema_extra=_enum(RuleAction.values))
    terms: list[str]
    networks: list[str]
    allowed_domains: list[str]
    disclosures: dict[str, str]
    reason: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


# --- Builders


def _version_out(version: CharterVersion) -> CharterVersionOut:
    return CharterVersionOut(
        id=version.pk,
        number=version.number,
        status=version.status,
        body_fr=version.body_fr,
        body_en=version.body_en,
        summary_of_changes=version.summary_of_changes,
        created_at=version.created_at,
        updated_at=version.updated_at,
        published_at=version.published_at,
    )


def _rule_out(rule: GuardrailRule) -> GuardrailRuleOut:
    return GuardrailRuleOut(
        id=rule.pk,
        kind=rule.kind,
        action=rule.action,
        terms=list(rule.terms),
        networks=list(rule.networks),
        allowed_domains=list(rule.allowed_domains),
        disclosures=dict(rule.disclosures),
        reason=rule.reason,
        active=rule.active,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _rule_data(payload: GuardrailRuleIn) -> services.RuleData:
    return services.RuleData(
        kind=payload.kind,
        action=payload.action,
        terms=list(payload.terms),
        networks=list(payload.networks),
        allowed_domains=list(payload.allowed_domains),
        disclosures=dict(payload.disclosures),
        reason=payload.reason,
        active=payload.active,
    )


# --- Charter versions


@router.get(
    "/charter/versions", response=responses({200: list[CharterVersionOut]}), tags=["charter"]
)
def charter_versions(request: HttpRequest) -> list[CharterVersionOut]:
    """Every version, newest first, with the draft if any (`charter.manage`: admins)."""
    return [_version_out(v) for v in selectors.charter_versions(membership=_membership(request))]


@router.post("/charter/versions", response=responses({201: CharterVersionOut}), tags=["charter"])
def charter_version_create(
    request: HttpRequest, payload: CharterVersionIn
) -> Status[CharterVersionOut]:
    """Start the next version as a draft (409 if a draft exists); audited."""
    version = services.charter_draft_create(
        actor=_membership(request), body_fr=payload.body_fr, body_en=payload.body_en
    )
    return Status(201, _version_out(version))


@router.get(
    "/charter/versions/{version_id}", response=responses({200: CharterVersionOut}), tags=["charter"]
)
def charter_version_detail(request: HttpRequest, version_id: DbId) -> CharterVersionOut:
    return _version_out(selectors.charter_version(membership=_membership(request), pk=version_id))


@router.put(
    "/charter/versions/{version_id}", response=responses({200: CharterVersionOut}), tags=["charter"]
)
def charter_version_update(
    request: HttpRequest, version_id: DbId, payload: CharterVersionUpdateIn
) -> CharterVersionOut:
    """Change the draft's texts (a published version never changes: 409); audited."""
    membership = _membership(request)
    version = selectors.charter_version(membership=membership, pk=version_id)
    version = services.charter_draft_update(
        actor=membership, version=version, body_fr=payload.body_fr, body_en=payload.body_en
    )
    return _version_out(version)


@router.post(
    "/charter/versions/{version_id}/publish",
    response=responses({200: CharterVersionOut}),
    tags=["charter"],
)
def charter_version_publish(
    request: HttpRequest, version_id: DbId, payload: CharterPublishIn
) -> CharterVersionOut:
    """Publish the draft: it becomes the current charter, and every member is asked to
    accept it; audited."""
    membership = _membership(request)
    version = selectors.charter_version(membership=membership, pk=version_id)
    version = services.charter_publish(
        actor=membership, version=version, summary_of_changes=payload.summary_of_changes
    )
    return _version_out(version)


@router.delete("/charter/versions/{version_id}", response=responses({204: None}), tags=["charter"])
def charter_version_delete(request: HttpRequest, version_id: DbId) -> Status[None]:
    """Delete the draft (a published version stays: 409); audited."""
    membership = _membership(request)
    version = selectors.charter_version(membership=membership, pk=version_id)
    services.charter_draft_delete(actor=membership, version=version)
    return Status(204, None)


# --- Guardrail rules


@router.get(
    "/guardrails/rules", response=responses({200: list[GuardrailRuleOut]}), tags=["guardrails"]
)
def rule_list(request: HttpRequest) -> list[GuardrailRuleOut]:
    """The organization's guardrail rules (`guardrails.manage`: community managers)."""
    return [_rule_out(r) for r in selectors.rules(membership=_membership(request))]


@router.post("/guardrails/rules", response=responses({201: GuardrailRuleOut}), tags=["guardrails"])
def rule_create(request: HttpRequest, payload: GuardrailRuleIn) -> Status[GuardrailRuleOut]:
    """Add a rule; audited. Refused (400, per field) as the page refuses it."""
    rule = services.rule_create(actor=_membership(request), data=_rule_data(payload))
    return Status(201, _rule_out(rule))


@router.get(
    "/guardrails/rules/{rule_id}", response=responses({200: GuardrailRuleOut}), tags=["guardrails"]
)
def rule_detail(request: HttpRequest, rule_id: DbId) -> GuardrailRuleOut:
    return _rule_out(selectors.rule(membership=_membership(request), pk=rule_id))


@router.put(
    "/guardrails/rules/{rule_id}", response=responses({200: GuardrailRuleOut}), tags=["guardrails"]
)
def rule_update(request: HttpRequest, rule_id: DbId, payload: GuardrailRuleIn) -> GuardrailRuleOut:
    """Replace the rule (every field); audited when something changed."""
    membership = _membership(request)
    rule = selectors.rule(membership=membership, pk=rule_id)
    return _rule_out(services.rule_update(actor=membership, rule=rule, data=_rule_data(payload)))


@router.delete("/guardrails/rules/{rule_id}", response=responses({204: None}), tags=["guardrails"])
def rule_delete(request: HttpRequest, rule_id: DbId) -> Status[None]:
    """Remove the rule; audited."""
    membership = _membership(request)
    rule = selectors.rule(membership=membership, pk=rule_id)
    services.rule_delete(actor=membership, rule=rule)
    return Status(204, None)
