"""Publishing's audit actions and objects, in words (registered in `apps.ready`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

ACTIONS = {
    "publishing.cadence_set": _("Posting rhythm changed for %(object)s"),
    "publishing.app_set": _("Network app settings changed for %(object)s"),
    "publishing.pause": _("Crisis pause started (%(object)s)"),
    "publishing.resume": _("Crisis pause lifted (%(object)s)"),
    "publishing.held_release": _("Posts held by the crisis pause released (%(object)s)"),
    "publishing.held_cancel": _("Posts held by the crisis pause cancelled (%(object)s)"),
    "publishing.delegation_grant": _("Delegation granted: %(object)s"),
    "publishing.delegation_revoke": _("Delegation revoked: %(object)s"),
}


def networks(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    """Objects named by a network code: the network's name (no query)."""
    return {code: str(Network.LABELS[code]) for code in ids if code in Network.LABELS}


def delegations(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    from .models import Delegation

    rows = (
        scoped(Delegation, organization_id)
        .filter(pk__in=audit_labels.int_ids(ids))
        .values_list(
            "pk",
            "executive__user__full_name",
            "executive__user__email",
            "assistant__user__full_name",
            "assistant__user__email",
        )
    )
    return {
        str(pk): gettext("%(assistant)s for %(executive)s")
        % {"assistant": a_name or a_mail, "executive": e_name or e_mail}
        for pk, e_name, e_mail, a_name, a_mail in rows
    }


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type("cadence_rule", _("posting rhythm"), networks)
    audit_labels.register_object_type("network_app", _("network app"), networks)
    audit_labels.register_object_type("crisis_pause", _("crisis pause"))
    audit_labels.register_object_type("delegation", _("delegation"), delegations)
