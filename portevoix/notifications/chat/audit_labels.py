"""The audit log's words for the Slack and Teams page (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "chat.connection_added": _("Slack or Teams channel %(object)s added"),
            "chat.connection_changed": _("Slack or Teams channel %(object)s changed"),
            "chat.connection_enabled": _("Slack or Teams channel %(object)s turned on again"),
            "chat.connection_deleted": _("Slack or Teams channel %(object)s deleted"),
            "chat.connection_tested": _("Test message sent to %(object)s"),
            "chat.slack_app_set": _("Slack app settings changed (%(object)s)"),
            "signature.settings_set": _("Email signature settings changed (%(object)s)"),
        }
    )
    audit_labels.register_object_type("chat_connection", _("Slack or Teams channel"))
    audit_labels.register_object_type("slack_app", _("Slack app"))
    audit_labels.register_object_type("signature_settings", _("email signature settings"))
