"""SCIM Users: the directory creates, replaces (PUT and PATCH) and deletes members.

Every change is audited with no person as actor (the directory). A deactivation goes through
the brake first; deprovisioning never deletes the membership.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from scim2_models import InvalidValueException, NotFoundException, UniquenessException

from portevoix.accounts import services as accounts
from portevoix.governance import gates

from .. import resources
from ..models import ScimUser
from .brake import BrakeHeld, brake_allows, mark_deleted, record_applied


def link_of(membership: Any) -> ScimUser | None:
    try:
        return membership.scim_user
    except ScimUser.DoesNotExist:
        return None


def directory_users(*, organization: Any) -> QuerySet[Any]:
    """The members the directory sees: all but those it deleted."""
    return (
        accounts.directory_members(organization=organization)
        .exclude(scim_user__deleted_at__isnull=False)
        .select_related("scim_user")
        .prefetch_related("teams")
    )


def directory_user(*, organization: Any, pk: str) -> Any:
    found = (
        directory_users(organization=organization).filter(pk=pk).first() if pk.isdigit() else None
    )
    if found is None:
        raise NotFoundException(detail=f"User {pk} not found")
    return found


def _check_unique(organization: Any, user_name: str, email: str, exclude: int | None) -> None:
    others = directory_users(organization=organization)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    same_name = Q(scim_user__user_name__iexact=user_name) | Q(user__email__iexact=user_name)
    if others.filter(same_name | Q(user__email__iexact=email)).exists():
        raise UniquenessException(detail="A member has this userName or email already")


def _save_link(organization: Any, membership: Any, resource: resources.FullUser) -> bool:
    values = {
        "user_name": (resource.user_name or "")[:254],
        "external_id": (resource.external_id or "")[:254],
        "name": resources.dumped_name(resource),
        "emails": resources.dumped_emails(resource),
        "display_name": (resource.display_name or "")[:150],
        "deleted_at": None,
    }
    link = ScimUser.objects.filter(membership=membership).first()
    if link is None:
        ScimUser.objects.create(organization=organization, membership=membership, **values)
        return True
    changed = [k for k, v in values.items() if getattr(link, k) != v]
    for key in changed:
        setattr(link, key, values[key])
    if changed:
        link.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def _audit(organization: Any, action: str, membership: Any, before: Any, after: Any) -> None:
    gates.audit_record(
        organization=organization,
        actor=None,
        action=action,
        object_type="scim.user",
        object_id=membership.pk,
        before=before,
        after=after,
    )


def _email_of(resource: resources.FullUser) -> str:
    if not resource.user_name:
        raise InvalidValueException(detail="userName is required")
    email = resources.primary_email(resource)
    if not email:
        raise InvalidValueException(
            detail="An email address is required: in emails, or as the userName"
        )
    return email


@transaction.atomic
def user_create(*, organization: Any, resource: resources.FullUser) -> Any:
    email = _email_of(resource)
    _check_unique(organization, resource.user_name or "", email, None)
    membership = accounts.member_provision(
        organization=organization,
        email=email,
        full_name=resources.full_name(resource),
        title=resource.title or "",
    )
    _save_link(organization, membership, resource)
    if resource.active is False:
        accounts.member_deprovision(membership=membership)
    _audit(
        organization,
        "scim.user_create",
        membership,
        None,
        {"active": membership.is_active, "external_id": resource.external_id or ""},
    )
    return directory_user(organization=organization, pk=str(membership.pk))


def user_replace(*, organization: Any, membership: Any, resource: resources.FullUser) -> Any:
    """PUT, and PATCH once its operations are applied to the current resource."""
    email = _email_of(resource)
    deactivating = resource.active is False and membership.is_active
    if deactivating and not brake_allows(
        organization=organization, membership=membership, delete=False
    ):
        raise BrakeHeld
    with transaction.atomic():
        _check_unique(organization, resource.user_name or "", email, membership.pk)
        changed = accounts.member_identity_update(
            membership=membership,
            email=email,
            full_name=resources.full_name(resource),
            title=resource.title or "",
        )
        if _save_link(organization, membership, resource):
            changed.append("scim")
        if changed:
            _audit(organization, "scim.user_update", membership, None, {"fields": changed})
        if deactivating:
            accounts.member_deprovision(membership=membership)
            record_applied(organization=organization, membership=membership, delete=False)
            _audit(
                organization,
                "scim.user_deactivate",
                membership,
                {"active": True},
                {"active": False, "reason": accounts.DEPROVISION_REASON},
            )
        elif resource.active is True and not membership.is_active:
            accounts.member_reactivate(membership=membership)
            _audit(organization, "scim.user_reactivate", membership, {"active": False}, None)
    return directory_user(organization=organization, pk=str(membership.pk))


def user_delete(*, organization: Any, membership: Any) -> None:
    """DELETE: the membership is deactivated and kept; SCIM answers 404 for it from now on."""
    was_active = membership.is_active
    if was_active and not brake_allows(
        organization=organization, membership=membership, delete=True
    ):
        raise BrakeHeld
    with transaction.atomic():
        accounts.member_deprovision(membership=membership)
        if was_active:
            record_applied(organization=organization, membership=membership, delete=True)
        mark_deleted(organization=organization, membership=membership)
        _audit(
            organization,
            "scim.user_delete",
            membership,
            {"active": was_active},
            {"active": False, "reason": accounts.DEPROVISION_REASON},
        )
