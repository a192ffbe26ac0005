"""SCIM's audit actions and objects, in words (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels

ACTIONS = {
    "scim.token_create": _("Directory token created (%(object)s)"),
    "scim.token_revoke": _("Directory token revoked (%(object)s)"),
    "scim.settings_update": _("Directory brake changed"),
    "scim.user_create": _("Person provisioned by the directory (%(object)s)"),
    "scim.user_update": _("Person updated by the directory (%(object)s)"),
    "scim.user_deactivate": _("Person deprovisioned by the directory (%(object)s)"),
    "scim.user_reactivate": _("Person reactivated by the directory (%(object)s)"),
    "scim.user_delete": _("Person deleted by the directory, membership kept inactive (%(object)s)"),
    "scim.deactivation_held": _("Mass deactivation held by the brake (%(object)s)"),
    "scim.deactivation_confirm": _("Held deactivations confirmed"),
    "scim.deactivation_dismiss": _("Held deactivations dismissed"),
    "scim.group_create": _("Team created by the directory (%(object)s)"),
    "scim.group_update": _("Team updated by the directory (%(object)s)"),
    "scim.group_delete": _("Team deleted by the directory (%(object)s)"),
}


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type("scim.token", _("directory token"))
    audit_labels.register_object_type("scim.user", _("person from the directory"))
    audit_labels.register_object_type("scim.group", _("team from the directory"))
    audit_labels.register_object_type("scim.settings", _("directory settings"))
