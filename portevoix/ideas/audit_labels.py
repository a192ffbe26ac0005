"""The idea box's triage decisions in words, for the audit log (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "idea.accept": _("Idea accepted: %(object)s"),
            "idea.decline": _("Idea declined: %(object)s"),
            "idea.merge": _("Idea merged: %(object)s"),
        }
    )
    audit_labels.register_object_type("idea", _("idea"))
