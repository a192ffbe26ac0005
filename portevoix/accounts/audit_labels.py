"""Accounts' audit actions and objects, in words (registered in `apps.ready`): two-step
verification and the organization's policy about it (`signals.audit_event`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels

ACTIONS = {
    "accounts.two_factor_on": _("Two-step verification turned on by %(object)s"),
    "accounts.two_factor_off": _("Two-step verification turned off by %(object)s"),
    "accounts.recovery_code_used": _("Recovery code used to log in by %(object)s"),
    "accounts.recovery_codes_new": _("New recovery codes made by %(object)s"),
    "accounts.two_factor_policy": _("Two-step verification policy for admins changed (%(object)s)"),
}


def users(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    """The members of the organization among `ids` (users), by their name."""
    from .models import User

    rows = User.objects.filter(
        pk__in=audit_labels.int_ids(ids), memberships__organization_id=organization_id
    ).only("pk", "full_name", "email")
    return {str(user.pk): user.display_name for user in rows}


def organizations(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    from .models import Organization

    rows = Organization.objects.filter(pk=organization_id, pk__in=audit_labels.int_ids(ids))
    return {str(pk): name for pk, name in rows.values_list("pk", "name")}


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type("accounts.user", _("person"), users)
    audit_labels.register_object_type("accounts.organization", _("organization"), organizations)
