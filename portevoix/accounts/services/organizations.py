"""Organizations: create a tenant, change its settings."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.tenancy import scoped

from ..models import (
    Membership,
    MembershipRole,
    Organization,
    User,
)
from ..permissions import require
from ..roles import Role
from ..signals import audit_event, listing_changed


@transaction.atomic
def organization_create(*, name: str, owner: User, slug: str | None = None) -> Organization:
    """A new tenant, with `owner` as its first admin."""
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    org = Organization.objects.create(name=name, slug=slug or slugify(name)[:60])
    membership = Membership.objects.create(organization=org, user=owner)
    MembershipRole.objects.create(membership=membership, role=Role.ADMIN)
    return org


ORGANIZATION_LANGUAGES = ("fr", "en")
MAX_APPROVALS = 10
MAX_REVIEW_DAYS = 60


@transaction.atomic
def organization_update(
    *,
    actor: Membership,
    organization: Organization,
    name: str | None = None,
    default_language: str | None = None,
    approvals_required: int | None = None,
    final_approval_required: bool | None = None,
    review_days: int | None = None,
    reschedule_requires_review: bool | None = None,
    two_factor_required_for_admins: bool | None = None,
) -> Organization:
    """Change the organization's settings. Only its administrators may; `None` keeps a value."""
    require(actor, "org.manage")
    if organization.pk != actor.organization_id:
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    changes: dict[str, object] = {}
    if name is not None:
        name = name.strip()
        max_length = Organization._meta.get_field("name").max_length or 120
        if not name:
            errors["name"] = [_("Required.")]
        elif len(name) > max_length:
            errors["name"] = [_("At most %(max)d characters.") % {"max": max_length}]
        else:
            changes["name"] = name
    if default_language is not None:
        if default_language not in ORGANIZATION_LANGUAGES:
            errors["default_language"] = [_("Choose French or English.")]
        else:
            changes["default_language"] = default_language
    if approvals_required is not None:
        if (
            isinstance(approvals_required, bool)
            or not isinstance(approvals_required, int)
            or not 1 <= approvals_required <= MAX_APPROVALS
        ):
            errors["approvals_required"] = [
                _("Enter a number from 1 to %(max)d.") % {"max": MAX_APPROVALS}
            ]
        else:
            changes["approvals_required"] = approvals_required
    if final_approval_required is not None:
        changes["final_approval_required"] = bool(final_approval_required)
    if review_days is not None:
        if (
            isinstance(review_days, bool)
            or not isinstance(review_days, int)
            or not 1 <= review_days <= MAX_REVIEW_DAYS
        ):
            errors["review_days"] = [
                _("Enter a number from 1 to %(max)d.") % {"max": MAX_REVIEW_DAYS}
            ]
        else:
            changes["review_days"] = review_days
    if reschedule_requires_review is not None:
        changes["reschedule_requires_review"] = bool(reschedule_requires_review)
    if two_factor_required_for_admins is not None:
        changes["two_factor_required_for_admins"] = bool(two_factor_required_for_admins)
    if errors:
        raise DomainError(_("The settings have errors."), field_errors=errors)
    changes = {k: v for k, v in changes.items() if getattr(organization, k) != v}
    before = organization.two_factor_required_for_admins
    for attribute, value in changes.items():
        setattr(organization, attribute, value)
    if changes:
        organization.save(update_fields=list(changes))
    if "two_factor_required_for_admins" in changes:
        audit_event.send(
            sender=Organization,
            organization_id=organization.pk,
            actor=actor.user,
            action="accounts.two_factor_policy",
            object_type="accounts.organization",
            object_id=organization.pk,
            before={"two_factor_required_for_admins": before},
            after={"two_factor_required_for_admins": organization.two_factor_required_for_admins},
        )
    return organization


@transaction.atomic
def organization_close(*, organization_id: int) -> int:
    """Nobody may use the organization any more (it is about to be deleted): every membership
    is deactivated at once, so no page, API token or session reaches it. Returns how many
    memberships were closed. The caller checks who may ask, and records it."""
    closed = (
        scoped(Membership, organization_id)
        .filter(is_active=True)
        .update(is_active=False, left_at=clock.now())
    )
    listing_changed.send(sender=Membership, organization_id=organization_id, membership_ids=None)
    return closed
