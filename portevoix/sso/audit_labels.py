"""The audit log's words for single sign-on (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "sso.provider_set": _("Single sign-on settings changed (%(object)s)"),
            "sso.provider_deleted": _("Single sign-on removed (%(object)s)"),
            "sso.member_joined": _("Joined through single sign-on (%(object)s)"),
        }
    )
    audit_labels.register_object_type("sso_provider", _("identity provider"))
    audit_labels.register_object_type("sso_member", _("member"))
