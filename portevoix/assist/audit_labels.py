"""The audit log's words for drafting assistance (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "assist.settings_changed": _("Drafting assistance settings changed (%(object)s)"),
            "assist.copies_added": _("Copies drafted by a model added (%(object)s)"),
        }
    )
    audit_labels.register_object_type("assist_settings", _("drafting assistance"))
