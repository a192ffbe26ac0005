"""The safety brake on mass deactivation (docs/decisions/0016-scim-provisioning.md).

A directory sync that would deactivate more than the organization's set share of its active
members within the window is refused: the deactivation is recorded as held (pending), and an
admin confirms (applies) or dismisses the held deactivations on the settings page. While any
deactivation is held, every further one is held too, so that nothing slips through while the
admin looks. The brake never holds fewer than `MIN_HELD` deactivations in a window: a small
organization losing one or two people is no mass deactivation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import services as accounts
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from ..models import Deactivation, DirectorySettings, ScimUser

MIN_HELD = 3
Status = Deactivation.Status


class BrakeHeld(Exception):
    """The brake held a deactivation: the SCIM answer is 409 with this detail."""

    detail = (
        "Mass deactivation held by Portevoix's safety brake: more than the organization's set "
        "share of active members would be deactivated within its window. An administrator "
        "must confirm it in Settings, Directory provisioning."
    )


def brake_allows(*, organization: Any, membership: Any, delete: bool) -> bool:
    """Whether the directory may deactivate `membership` now. When not, the deactivation is
    recorded as held (committed at once, whatever the caller does next) and audited."""
    with transaction.atomic():
        setting, _created = DirectorySettings.objects.get_or_create(organization=organization)
        # One deactivation decided at a time per organization (a row lock on PostgreSQL).
        setting = DirectorySettings.objects.select_for_update().get(pk=setting.pk)
        now = clock.now()
        since = now - dt.timedelta(hours=setting.brake_window_hours)
        rows = scoped(Deactivation, organization)
        applied = rows.filter(status=Status.APPLIED, requested_at__gte=since).count()
        held = rows.filter(status=Status.PENDING).exists()
        base = accounts.directory_active_count(organization=organization) + applied
        wanted = applied + 1
        over = wanted >= MIN_HELD and wanted * 100 > setting.brake_percent * base
        if not held and not over:
            return True
        _row, created = Deactivation.objects.get_or_create(
            organization=organization,
            membership=membership,
            status=Status.PENDING,
            defaults={"requested_at": now, "by_delete": delete},
        )
        if not created and delete:
            Deactivation.objects.filter(pk=_row.pk).update(by_delete=True)
        if created:
            gates.audit_record(
                organization=organization,
                actor=None,
                action="scim.deactivation_held",
                object_type="scim.user",
                object_id=membership.pk,
                before=None,
                after={"delete": delete, "applied_in_window": applied, "active": base - applied},
            )
    return False


def record_applied(*, organization: Any, membership: Any, delete: bool) -> None:
    Deactivation.objects.create(
        organization=organization,
        membership=membership,
        status=Status.APPLIED,
        by_delete=delete,
        requested_at=clock.now(),
    )


def pending_deactivations(*, membership: Any) -> list[Deactivation]:
    require(membership, "scim.manage")
    rows = scoped(Deactivation, membership.organization).filter(status=Status.PENDING)
    return list(rows.select_related("membership__user"))


def mark_deleted(*, organization: Any, membership: Any) -> None:
    link, _created = ScimUser.objects.get_or_create(
        organization=organization,
        membership=membership,
        defaults={"user_name": membership.user.email},
    )
    link.deleted_at = clock.now()
    link.save(update_fields=["deleted_at", "updated_at"])


@transaction.atomic
def held_deactivations_decide(*, membership: Any, confirm: bool) -> int:
    """The admin's answer to the held deactivations: apply them all (confirm) or drop them.
    Returns how many were decided."""
    require(membership, "scim.manage")
    organization = membership.organization
    rows = list(
        scoped(Deactivation, organization)
        .select_for_update()
        .filter(status=Status.PENDING)
        .select_related("membership__user")
    )
    if not rows:
        raise NotFound(_("No deactivation is waiting."))
    now = clock.now()
    for row in rows:
        row.status = Status.APPLIED if confirm else Status.DISMISSED
        row.decided_at, row.decided_by = now, membership.user
        row.save(update_fields=["status", "decided_at", "decided_by"])
        if confirm:
            person = row.membership
            accounts.member_deprovision(membership=person)
            if row.by_delete:
                mark_deleted(organization=organization, membership=person)
            gates.audit_record(
                organization=organization,
                actor=membership,
                action="scim.user_delete" if row.by_delete else "scim.user_deactivate",
                object_type="scim.user",
                object_id=person.pk,
                before={"active": True},
                after={"active": False, "reason": accounts.DEPROVISION_REASON},
            )
    gates.audit_record(
        organization=organization,
        actor=membership,
        action="scim.deactivation_confirm" if confirm else "scim.deactivation_dismiss",
        object_type="scim.settings",
        object_id=organization.pk,
        before=None,
        after={"count": len(rows)},
    )
    return len(rows)
