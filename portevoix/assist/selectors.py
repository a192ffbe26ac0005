"""Reads of drafting assistance: the organization's settings, the item page's link (the
`CONTENT_ITEM_ACTION_PROVIDERS` hook) and the mark of copies drafted by a model (the
`CONTENT_ORIGIN_PROVIDERS` hook)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import can, require
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from .models import AssistedCopy, AssistSettings

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def settings_of(organization_id: int) -> AssistSettings | None:
    return scoped(AssistSettings, organization_id).first()


def settings_page(*, membership: Membership) -> AssistSettings | None:
    """The settings for their page: `assist.manage` (administrators), or PermissionDenied."""
    require(membership, "assist.manage")
    return settings_of(membership.organization_id)


def enabled_settings(organization_id: int) -> AssistSettings | None:
    """The settings when drafting assistance is on and usable, else None."""
    row = settings_of(organization_id)
    if row is None or not row.enabled or not row.base_url or not row.model:
        return None
    return row


def item_action(*, membership: Membership, item: Any) -> tuple[str, str] | None:
    """The item page's "Draft copies with the model" link, for who may edit the item, when
    the organization has a model on (`settings.CONTENT_ITEM_ACTION_PROVIDERS`)."""
    if item.state == "archived" or not can(membership, "content.edit", item):
        return None
    row = enabled_settings(membership.organization_id)
    if row is None:
        return None
    label = _("Draft copies with the model (%(model)s)") % {"model": row.model}
    return label, reverse("assist:draft", args=[item.pk])


def content_origin(*, item: Any) -> tuple[str, str] | None:
    """The mark of an item's copies drafted by a model (`settings.CONTENT_ORIGIN_PROVIDERS`):
    while a copy still says what the model drafted, the page names the networks and the
    model. A copy rewritten since is the writer's own, and loses the mark."""
    marks = list(
        scoped(AssistedCopy, item.organization_id)
        .filter(item_id=item.pk)
        .values_list("network", "text", "model")
    )
    if not marks:
        return None
    current = {(copy.network, copy.text) for copy in item.copies.all()}
    kept: dict[str, list[str]] = {}
    for network, text, model in marks:
        if (network, text) in current:
            names = kept.setdefault(model, [])
            label = str(Network.LABELS.get(network, network))
            if label not in names:
                names.append(label)
    if not kept:
        return None
    label = "; ".join(
        _("%(networks)s: drafted by a language model (%(model)s)")
        % {"networks": ", ".join(names), "model": model}
        for model, names in kept.items()
    )
    return label, reverse("content:item", args=[item.pk]) + "#copies-title"
