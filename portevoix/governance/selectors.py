"""Reads of the governance app, scoped to the organization and with their relations loaded."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.utils.module_loading import import_string

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped_or_404, scoped

from . import matching
from .models import (
    AuditEntry,
    CharterAcknowledgement,
    CharterStatus,
    CharterVersion,
    GuardrailRule,
    ModerationCase,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

T = TypeVar("T", bound=Model)
CHUNK = 2000


def _window(qs: QuerySet[T], *, offset: int, limit: int) -> tuple[int, list[T]]:
    """The total count and the rows `[offset, offset + limit)` (API pages)."""
    return qs.count(), list(qs[offset : offset + limit])


# --- Charter


def current_charter(organization: Any) -> CharterVersion | None:
    """The published version with the highest number, or None before the first one."""
    return (
        scoped(CharterVersion, organization)
        .filter(status=CharterStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def charter_to_accept(membership: Membership) -> CharterVersion | None:
    """The current charter when `membership` has not accepted it yet, else None (also
    before the first version). One query."""
    current = (
        scoped(CharterVersion, membership.organization_id)
        .filter(status=CharterStatus.PUBLISHED)
        .annotate(
            accepted=Exists(
                CharterAcknowledgement.objects.filter(membership=membership, version=OuterRef("pk"))
            )
        )
        .order_by("-number")
        .first()
    )
    if current is None or current.accepted:
        return None
    return current


def has_acknowledged(membership: Membership, version: CharterVersion) -> bool:
    return CharterAcknowledgement.objects.filter(membership=membership, version=version).exists()


def last_acknowledgement(membership: Membership) -> CharterAcknowledgement | None:
    """The member's acknowledgement of the most recent version they accepted."""
    return (
        scoped(CharterAcknowledgement, membership.organization)
        .filter(membership=membership)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


def versions_since(organization: Any, *, after: int, upto: int) -> list[CharterVersion]:
    """Published versions numbered after `after` up to `upto`, newest first: what changed
    since the version a member last accepted."""
    return list(
        scoped(CharterVersion, organization)
        .filter(status=CharterStatus.PUBLISHED, number__gt=after, number__lte=upto)
        .select_related("published_by")
        .order_by("-number")
    )


def charter_versions(*, membership: Membership) -> QuerySet[CharterVersion]:
    require(membership, "charter.manage")
    return (
        scoped(CharterVersion, membership.organization)
        .select_related("published_by", "created_by")
        .annotate(ack_count=Count("acknowledgements"))
        .order_by("-number")
    )


def charter_version(*, membership: Membership, pk: int) -> CharterVersion:
    version = get_scoped_or_404(
        CharterVersion.objects.select_related("published_by"), membership.organization, pk=pk
    )
    require(membership, "charter.manage", version)
    return version


def published_versions(*, membership: Membership) -> QuerySet[CharterVersion]:
    """Published versions, newest first (for the people who follow acknowledgements)."""
    require(membership, "charter.view_acks")
    return (
        scoped(CharterVersion, membership.organization)
        .filter(status=CharterStatus.PUBLISHED)
        .order_by("-number")
    )


def published_version(*, membership: Membership, pk: int) -> CharterVersion:
    """A published version of the member's organization (the one they read), else NotFound."""
    return get_scoped_or_404(
        CharterVersion.objects.filter(status=CharterStatus.PUBLISHED),
        membership.organization,
        pk=pk,
    )


def acknowledgements(
    *, membership: Membership, version_id: int | None = None
) -> QuerySet[CharterAcknowledgement]:
    require(membership, "charter.view_acks")
    qs = scoped(CharterAcknowledgement, membership.organization).select_related(
        "membership__user", "version"
    )
    if version_id:
        qs = qs.filter(version_id=version_id)
    return qs.order_by("-at", "-id")


def iter_acknowledgements(
    *, membership: Membership, version_id: int | None = None
) -> Iterator[CharterAcknowledgement]:
    """Every acknowledgement, read in chunks (CSV export)."""
    return acknowledgements(membership=membership, version_id=version_id).iterator(chunk_size=CHUNK)


def members_without_ack(*, membership: Membership, version: CharterVersion) -> int:
    """How many active members have not accepted `version`."""
    require(membership, "charter.view_acks")
    active = account_selectors.active_members(organization_id=membership.organization_id)
    return active.exclude(charter_acks__version=version).count()


# --- Guardrails


def active_rules(organization: Any) -> list[matching.Rule]:
    return [r.as_rule() for r in scoped(GuardrailRule, organization).filter(active=True)]


def rules(*, membership: Membership) -> QuerySet[GuardrailRule]:
    require(membership, "guardrails.manage")
    return scoped(GuardrailRule, membership.organization).order_by("kind", "id")


def rule(*, membership: Membership, pk: int) -> GuardrailRule:
    found = get_scoped_or_404(GuardrailRule, membership.organization, pk=pk)
    require(membership, "guardrails.manage", found)
    return found


# --- Moderation


def cases(
    *, membership: Membership, status: str | None = None, source: str | None = None
) -> QuerySet[ModerationCase]:
    require(membership, "moderation.manage")
    qs = scoped(ModerationCase, membership.organization).select_related(
        "author__user", "reported_by__user", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("-created_at", "-id")


def cases_page(
    *,
    membership: Membership,
    status: str | None = None,
    source: str | None = None,
    offset: int,
    limit: int,
) -> tuple[int, list[ModerationCase]]:
    """The count of the queue and one window of it (API)."""
    qs = cases(membership=membership, status=status, source=source)
    return _window(qs, offset=offset, limit=limit)


# --- The homes (workspace): what waits in the moderation queue.


@dataclass(frozen=True)
class CasesWaiting:
    open_count: int  # every open case
    reports_count: int  # of which reports from colleagues
    suggestions_count: int  # of which content suggestions
    latest: list[ModerationCase]  # the newest open cases of the asked source(s)


def moderation_waiting(*, membership: Membership, limit: int = 5) -> CasesWaiting:
    """The community manager's view of the queue: the open cases, by source, and the newest
    ones. Two queries."""
    require(membership, "moderation.manage")
    open_cases = scoped(ModerationCase, membership.organization_id).filter(status="open")
    return _waiting(open_cases, open_cases, limit)


def suggestions_waiting(*, membership: Membership, limit: int = 5) -> CasesWaiting:
    """The content suggestions colleagues sent that nobody has answered yet (the content
    manager's home: they write the content the suggestions ask for). Two queries."""
    require(membership, "content.create")
    open_cases = scoped(ModerationCase, membership.organization_id).filter(status="open")
    return _waiting(open_cases, open_cases.filter(source="suggestion"), limit)


def _waiting(
    open_cases: QuerySet[ModerationCase], listed: QuerySet[ModerationCase], limit: int
) -> CasesWaiting:
    counts = open_cases.aggregate(
        total=Count("pk"),
        reports=Count("pk", filter=Q(source="report")),
        suggestions=Count("pk", filter=Q(source="suggestion")),
    )
    return CasesWaiting(
        open_count=counts["total"],
        reports_count=counts["reports"],
        suggestions_count=counts["suggestions"],
        latest=list(
            listed.select_related("author__user", "reported_by__user").order_by(
                "-created_at", "-id"
            )[:limit]
        ),
    )


def case(*, membership: Membership, pk: int) -> ModerationCase:
    found = get_scoped_or_404(
        ModerationCase.objects.select_related("author__user", "reported_by__user", "decided_by"),
        membership.organization,
        pk=pk,
    )
    require(membership, "moderation.manage", found)
    return found


def decided_case(*, organization_id: int, case_id: int) -> ModerationCase:
    """A decided case, for telling its author (no permission check: the caller has
    authorized); `NotFound` otherwise."""
    return get_scoped_or_404(
        ModerationCase.objects.exclude(status="open"), organization_id, pk=case_id
    )


# What moderation reaches in the apps that own the reported objects. Content and sharing
# import `governance.gates`: governance does not import them back (a cycle); they are
# named by dotted path in the settings instead.


@functools.cache
def _hook(path: str) -> Callable[..., Any]:
    return cast(Callable[..., Any], import_string(path))


def reportable_item(*, membership: Membership, item_id: int) -> Any:
    """A content item the member can see (in their feed or in the library), else NotFound:
    `settings.MODERATION_REPORTABLE_ITEM` (content's `item_visible_to`)."""
    return _hook(settings.MODERATION_REPORTABLE_ITEM)(membership=membership, item_id=item_id)


def reportable_share(*, membership: Membership, share_id: int) -> Any:
    """A share the member can see (their own, or any of the organization's with
    `share.view_all`), else NotFound: `settings.MODERATION_REPORTABLE_SHARE` (sharing's
    `visible_share`)."""
    return _hook(settings.MODERATION_REPORTABLE_SHARE)(membership=membership, pk=share_id)


def moderation_remover(object_type: str) -> Callable[..., str] | None:
    """What takes an object of `object_type` down (`settings.MODERATION_REMOVERS`), or None
    when no app can. A remover is called with `actor=` (the moderator's membership),
    `object_id=` (a string) and `comment=`, and returns a `gates.Removal` outcome."""
    path = dict(getattr(settings, "MODERATION_REMOVERS", {})).get(object_type)
    return _hook(path) if path else None


# --- Audit log


def audit_entries(
    *,
    membership: Membership,
    person: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The organization's audit log, newest first. `person` matches the actor's name or
    email; dates are inclusive, in the server's time zone."""
    require(membership, "audit.view")
    qs = scoped(AuditEntry, membership.organization)
    if person:
        qs = qs.filter(Q(actor_label__icontains=person))
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def audit_page(
    *, membership: Membership, offset: int, limit: int, **filters: Any
) -> tuple[int, list[AuditEntry]]:
    """The count of the filtered log and one window of it (API); filters as `audit_entries`."""
    return _window(audit_entries(membership=membership, **filters), offset=offset, limit=limit)


def iter_audit_entries(*, membership: Membership, **filters: Any) -> Iterator[AuditEntry]:
    """Every entry of the filtered log, read in chunks (CSV export)."""
    return audit_entries(membership=membership, **filters).iterator(chunk_size=CHUNK)


def audit_actions(*, membership: Membership) -> list[str]:
    require(membership, "audit.view")
    return list(
        scoped(AuditEntry, membership.organization)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def audit_object_types(*, membership: Membership) -> list[str]:
    require(membership, "audit.view")
    return list(
        scoped(AuditEntry, membership.organization)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
