"""Sharing's objects in words, for moderation and the audit log (registered in
`apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_object_type("share", _("share"))
