"""The audit log's words for the personal data archive (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "privacy.export_requested": _("Asked for the archive of their data (%(object)s)"),
            "privacy.export_downloaded": _("Downloaded the archive of their data (%(object)s)"),
            "privacy.org_export_requested": _(
                "Asked for the archive of the organization's data (%(object)s)"
            ),
            "privacy.org_export_downloaded": _(
                "Downloaded the archive of the organization's data (%(object)s)"
            ),
            "privacy.org_delete_requested": _("Asked to delete the organization"),
            "privacy.member_erased": _("Erased the data of a person (%(object)s)"),
            "privacy.erasure_delay": _("Changed the delay of the automatic erasure"),
        }
    )
    audit_labels.register_object_type("privacy_export", _("data archive"))
    audit_labels.register_object_type("privacy_member", _("former member"))
    audit_labels.register_object_type("organization_export", _("organization archive"))
    audit_labels.register_object_type("organization", _("organization"))
