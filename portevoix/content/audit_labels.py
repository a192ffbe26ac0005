"""Content's objects in words, for the audit log and moderation (registered in
`apps.ready`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels
from portevoix.core.tenancy import scoped


def items(organization_id: int, ids: list[str]) -> Mapping[str, str]:
    from .models import ContentItem

    rows = scoped(ContentItem, organization_id).filter(pk__in=audit_labels.int_ids(ids))
    return {
        str(pk): gettext("item “%(title)s”") % {"title": title}
        for pk, title in rows.values_list("pk", "title")
    }


def register() -> None:
    audit_labels.register_object_type("content.item", _("content item"), items)
    audit_labels.register_object_type("content.comment", _("comment"))
