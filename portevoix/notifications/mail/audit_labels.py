"""The audit log's words for the digest emails' settings (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {"mail.digest_schedule_set": _("Digest email schedule changed (%(object)s)")}
    )
    audit_labels.register_object_type("digest_schedule", _("digest email schedule"))
