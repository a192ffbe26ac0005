"""API router of governance: the charter, the guardrail check, moderation and the audit log.

Endpoints only parse, authorize (through services and selectors, which call
`permissions.require`), call a service or selector, and return a schema. Object endpoints
look the object up in the caller's organization first: another organization's is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.accounts.services import api_token_resolve
from portevoix.core.api_support import (
    BodyId,
    Day,
    DbId,
    PageParams,
    SessionMembershipAuth,
    Text,
    TokenAuth,
    responses,
)
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.markdown import render_markdown
from portevoix.core.networks import Network

from . import gates, matching, selectors, services
from .models import (
    CaseSource,
    CaseStatus,
    CharterVersion,
    ModerationCase,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["governance"])

MAX_TEXT = 100_000
NETWORK_ENUM: JsonDict = {"enum": ["", *Network.ALL]}


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _enum(values: list[str] | tuple[str, ...]) -> JsonDict:
    return {"enum": list(values)}


# --- Schemas


class CharterOut(Schema):
    id: int
    number: int
    body_fr: str = Field(..., description="Markdown")
    body_en: str = Field(..., description="Markdown")
    body_html: str = Field(..., description="In the request's language, else the other one")
    body_language: str
    summary_of_changes: str
    published_at: dt.datetime | None
    acknowledged: bool = Field(..., description="Whether the caller accepted this version")
    acknowledged_at: dt.datetime | None
    last_acknowledged_number: int | None = Field(
        ..., description="The latest version the caller accepted, if any"
    )


class AcknowledgeIn(Schema):
    version_id: BodyId | None = Field(
        None, description="The version read; refused (409) if a newer one was published"
    )


class AcknowledgementOut(Schema):
    version_id: int
    number: int
    at: dt.datetime


class CheckIn(Schema):
    network: Text = Field("", max_length=20, json_schema_extra=NETWORK_ENUM)
    text: Text = Field(..., max_length=MAX_TEXT)


class MatchOut(Schema):
    rule_id: int
    kind: str = Field(..., json_schema_extra=_enum(matching.KINDS))
    action: str = Field(..., json_schema_extra=_enum(matching.ACTIONS))
    term: str
    start: int = Field(..., description="Offset in the text, in Unicode code points")
    end: int
    reason: str
    message: str


class CheckOut(Schema):
    blocked: bool
    warned: bool
    text: str = Field(..., description="The text with the required disclosure added")
    matches: list[MatchOut]


class PersonOut(Schema):
    id: int = Field(..., description="Membership id")
    name: str


class CaseOut(Schema):
    id: int
    source: str = Field(..., json_schema_extra=_enum(CaseSource.values))
    status: str = Field(..., json_schema_extra=_enum(CaseStatus.values))
    text: str
    object_type: str
    object_id: str
    flag_reason: str
    author: PersonOut | None
    reported_by: PersonOut | None
    decision_reason: str
    decided_at: dt.datetime | None
    created_at: dt.datetime


class CasePageOut(Schema):
    items: list[CaseOut]
    count: int
    limit: int
    offset: int


class CaseQuery(PageParams):
    status: Literal["open", "approved", "rejected", "removed"] | None = None
    source: Literal["warning", "report", "suggestion"] | None = None


class ModerationReportIn(Schema):
    item_id: BodyId | None = Field(None, description="A content item the caller can see")
    share_id: BodyId | None = Field(
        None, description="Or one share of it (for those who see the organization's shares)"
    )
    reason: Text = Field(..., min_length=1, max_length=services.MAX_REASON_CHARS)


class ModerationReportOut(Schema):
    case_id: int
    status: str = Field(..., json_schema_extra=_enum(CaseStatus.values))
    object_type: str
    object_id: str
    created_at: dt.datetime


class DecideIn(Schema):
    decision: Literal["approve", "reject", "remove"]
    reason: Text = Field("", max_length=services.MAX_REASON_CHARS)


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, object] | None
    after: dict[str, object] | None


class AuditPageOut(Schema):
    items: list[AuditOut]
    count: int
    limit: int
    offset: int


class AuditQuery(PageParams):
    person: Text | None = Field(None, max_length=200, description="Name or email contains")
    action: Text | None = Field(None, max_length=60)
    object_type: Text | None = Field(None, max_length=60)
    object_id: Text | None = Field(None, max_length=60)
    since: Day | None = Field(None, description="From this day (inclusive), YYYY-MM-DD")
    until: Day | None = Field(None, description="Up to this day (inclusive), YYYY-MM-DD")


# --- Builders


def _charter_out(membership: Membership, version: CharterVersion) -> CharterOut:
    body, language = version.body_in((get_language() or "en")[:2])
    last = selectors.last_acknowledgement(membership)
    mine = last if last is not None and last.version_id == version.pk else None
    return CharterOut(
        id=version.pk,
        number=version.number,
        body_fr=version.body_fr,
        body_en=version.body_en,
        body_html=render_markdown(body),
        body_language=language,
        summary_of_changes=version.summary_of_changes,
        published_at=version.published_at,
        acknowledged=mine is not None,
        acknowledged_at=mine.at if mine else None,
        last_acknowledged_number=last.version.number if last else None,
    )


def _person(membership: Membership | None) -> PersonOut | None:
    if membership is None:
        return None
    return PersonOut(id=membership.pk, name=membership.user.display_name)


def _case_out(case: ModerationCase) -> CaseOut:
    return CaseOut(
        id=case.pk,
        source=case.source,
        status=case.status,
        text=case.text,
        object_type=case.object_type,
        object_id=case.object_id,
        flag_reason=case.flag_reason,
        author=_person(case.author),
        reported_by=_person(case.reported_by),
        decision_reason=case.decision_reason,
        decided_at=case.decided_at,
        created_at=case.created_at,
    )


# --- Charter


@router.get("/charter", response=responses({200: CharterOut}), tags=["charter"])
def charter_current(request: HttpRequest) -> CharterOut:
    """The current charter (the latest published version), and whether the caller accepted
    it. 404 before the organization publishes its first version."""
    membership = _membership(request)
    require(membership, "charter.acknowledge")
    current = selectors.current_charter(membership.organization)
    if current is None:
        raise NotFound(_("The organization has not published a charter yet."))
    return _charter_out(membership, current)


@router.post(
    "/charter/acknowledge", response=responses({200: AcknowledgementOut}), tags=["charter"]
)
def charter_acknowledge(request: HttpRequest, payload: AcknowledgeIn) -> AcknowledgementOut:
    """Accept the current charter. Accepting again changes nothing."""
    membership = _membership(request)
    version = None
    if payload.version_id is not None:
        version = selectors.published_version(membership=membership, pk=payload.version_id)
    ack = services.charter_acknowledge(membership=membership, version=version)
    return AcknowledgementOut(version_id=ack.version_id, number=ack.version.number, at=ack.at)


# --- Guardrails


@router.post(
    "/guardrails/check",
    response=responses({200: CheckOut}),
    auth=[TokenAuth(api_token_resolve), SessionMembershipAuth()],
    tags=["guardrails"],
)
def guardrails_check(request: HttpRequest, payload: CheckIn) -> CheckOut:
    """The organization's guardrails on a text: blocking matches, warnings, and the text
    with the required disclosure added where it fits. The same check runs when a text is
    shared, scheduled or commented, whatever the client.

    Also accepts the web session (with the CSRF header)."""
    membership = _membership(request)
    require(membership, "guardrails.check")
    if payload.network and payload.network not in Network.ALL:
        raise DomainError(_("Unknown network."), field_errors={"network": [_("Unknown network.")]})
    result = gates.guardrails_check(
        organization=membership.organization, text=payload.text, network=payload.network
    )
    return CheckOut(
        blocked=result.blocked,
        warned=result.warned,
        text=result.text,
        matches=[
            MatchOut(
                rule_id=m.rule_id,
                kind=m.kind,
                action=m.action,
                term=m.term,
                start=m.start,
                end=m.end,
                reason=m.reason,
                message=gates.describe(m),
            )
            for m in result.matches
        ],
    )


# --- Moderation


@router.get("/moderation", response=responses({200: CasePageOut}), tags=["moderation"])
def moderation_list(request: HttpRequest, filters: Query[CaseQuery]) -> CasePageOut:
    """The moderation queue, newest first (community managers)."""
    count, rows = selectors.cases_page(
        membership=_membership(request),
        status=filters.status,
        source=filters.source,
        offset=filters.offset,
        limit=filters.limit,
    )
    return CasePageOut(
        items=[_case_out(c) for c in rows], count=count, limit=filters.limit, offset=filters.offset
    )


@router.post(
    "/moderation/reports", response=responses({201: ModerationReportOut}), tags=["moderation"]
)
def moderation_report(
    request: HttpRequest, payload: ModerationReportIn
) -> Status[ModerationReportOut]:
    """Report a content item, or one share of it, to the moderators (every member, as the
    report page). Reporting it again while the case is open answers the same case. An item
    or share the caller cannot see is a 404."""
    case = services.moderation_report(
        membership=_membership(request),
        item_id=payload.item_id,
        share_id=payload.share_id,
        reason=payload.reason,
    )
    return Status(
        201,
        ModerationReportOut(
            case_id=case.pk,
            status=case.status,
            object_type=case.object_type,
            object_id=case.object_id,
            created_at=case.created_at,
        ),
    )


@router.get("/moderation/{case_id}", response=responses({200: CaseOut}), tags=["moderation"])
def moderation_detail(request: HttpRequest, case_id: DbId) -> CaseOut:
    return _case_out(selectors.case(membership=_membership(request), pk=case_id))


@router.post(
    "/moderation/{case_id}/decide", response=responses({200: CaseOut}), tags=["moderation"]
)
def moderation_decide(request: HttpRequest, case_id: DbId, payload: DecideIn) -> CaseOut:
    """Approve, reject (reason required, emailed to the author) or remove (reason
    required; taken down from the platform, and from the network when possible)."""
    membership = _membership(request)
    case = selectors.case(membership=membership, pk=case_id)
    services.moderation_decide(
        actor=membership, case=case, decision=payload.decision, reason=payload.reason
    )
    return _case_out(selectors.case(membership=membership, pk=case_id))


# --- Audit log


@router.get("/audit", response=responses({200: AuditPageOut}), tags=["audit"])
def audit_list(request: HttpRequest, filters: Query[AuditQuery]) -> AuditPageOut:
    """The audit log, newest first (administrators). Entries never change."""
    count, rows = selectors.audit_page(
        membership=_membership(request),
        offset=filters.offset,
        limit=filters.limit,
        person=filters.person,
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        date_from=filters.since,
        date_to=filters.until,
    )
    return AuditPageOut(
        items=[
            AuditOut(
                id=e.pk,
                at=e.at,
                actor_id=e.actor_id,
                actor=e.actor_label,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                before=e.before,
                after=e.after,
            )
            for e in rows
        ],
        count=count,
        limit=filters.limit,
        offset=filters.offset,
    )
