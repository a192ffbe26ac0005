"""The audit log's words for outgoing webhooks (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "webhooks.endpoint_created": _("Webhook endpoint added (%(object)s)"),
            "webhooks.endpoint_changed": _("Webhook endpoint changed (%(object)s)"),
            "webhooks.secret_rotated": _("Webhook signing secret rotated (%(object)s)"),
            "webhooks.endpoint_disabled": _("Webhook endpoint turned off (%(object)s)"),
            "webhooks.endpoint_enabled": _("Webhook endpoint turned on (%(object)s)"),
            "webhooks.endpoint_auto_disabled": _(
                "Webhook endpoint turned off after repeated failures (%(object)s)"
            ),
            "webhooks.endpoint_deleted": _("Webhook endpoint removed (%(object)s)"),
        }
    )
    audit_labels.register_object_type("webhook_endpoint", _("webhook endpoint"))
