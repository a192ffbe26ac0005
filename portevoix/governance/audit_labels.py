"""Governance's audit actions and objects, in words (registered in `apps.ready`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels
from portevoix.core.tenancy import scoped

ACTIONS = {
    "charter.draft_create": _("Charter draft started (%(object)s)"),
    "charter.draft_update": _("Charter draft edited (%(object)s)"),
    "charter.draft_delete": _("Charter draft deleted (%(object)s)"),
    "charter.publish": _("Charter published (%(object)s)"),
    "guardrail.create": _("Guardrail added: %(object)s"),
    "guardrail.update": _("Guardrail changed: %(object)s"),
    "guardrail.delete": _("Guardrail deleted: %(object)s"),
    "moderation.approve": _("Text approved in moderation (%(object)s)"),
    "moderation.reject": _("Text rejected in moderation (%(object)s)"),
    "moderation.remove": _("Text taken down in moderation (%(object)s)"),
}


def charter_versions(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    from .models import CharterVersion

    rows = scoped(CharterVersion, organization_id).filter(pk__in=audit_labels.int_ids(ids))
    return {
        str(pk): gettext("charter version %(number)s") % {"number": number}
        for pk, number in rows.values_list("pk", "number")
    }


def guardrail_rules(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    from .models import GuardrailRule

    rows = scoped(GuardrailRule, organization_id).filter(pk__in=audit_labels.int_ids(ids))
    names = {}
    for rule in rows.only("pk", "kind", "terms"):
        kind = str(rule.get_kind_display())
        terms = ", ".join(str(t) for t in (rule.terms or [])[:3])
        names[str(rule.pk)] = f"{kind} ({terms})" if terms else kind
    return names


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type(
        "governance.charterversion", _("charter version"), charter_versions
    )
    audit_labels.register_object_type("governance.guardrailrule", _("guardrail"), guardrail_rules)
    audit_labels.register_object_type("governance.moderationcase", _("moderation case"))
