"""The audit log (admins): search by person, action, object and date; CSV export."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.core import audit_labels
from portevoix.core.web import member_view

from .. import selectors
from ..forms import AuditFilterForm
from .common import AUDIT_PAGE_SIZE, csv_response

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _filter_form(request: HttpRequest, membership: Membership) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET or None,
        actions=selectors.audit_actions(membership=membership),
        object_types=selectors.audit_object_types(membership=membership),
    )


PREVIEW_CHARS = 120


def as_json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else as_json(value)
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field that differs, shortened for the table."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    rows = []
    for key in sorted(set(old) | set(new)):
        if key in old and key in new and old[key] == new[key]:
            continue
        rows.append(
            (
                key,
                _short(old[key]) if key in old else "",
                _short(new[key]) if key in new else "",
            )
        )
    return rows


@member_view
def audit_log(request: HttpRequest, membership: Membership) -> HttpResponse:
    filter_form = _filter_form(request, membership)
    filters = filter_form.filters()
    qs = selectors.audit_entries(membership=membership, **filters)
    page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page)
    described = audit_labels.describe_entries(membership.organization_id, entries)
    rows = [
        {
            "entry": entry,
            "described": words,
            "changes": changes(entry.before, entry.after),
            "before": as_json(entry.before),
            "after": as_json(entry.after),
        }
        for entry, words in zip(entries, described, strict=True)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    export_url = reverse("governance:audit_csv")
    if query:
        export_url += "?" + query.urlencode()
    return render(
        request,
        "governance/audit.html",
        {
            "filter_form": filter_form,
            "page": page,
            "rows": rows,
            "export_url": export_url,
            "is_filtered": any(v for v in filters.values()),
        },
    )


def _described_action(action: str) -> str:
    """The action's label without its object (no query per row in a long export)."""
    label = audit_labels.action_label(action)
    return label.replace("%(object)s", "…") if label else action


@member_view
def audit_csv(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    filter_form = _filter_form(request, membership)
    entries = selectors.iter_audit_entries(membership=membership, **filter_form.filters())
    rows = (
        [
            entry.at.isoformat(),
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            as_json(entry.before),
            as_json(entry.after),
            _described_action(entry.action),
        ]
        for entry in entries
    )
    return csv_response(
        "audit-log.csv",
        [
            _("When"),
            _("Who"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Before"),
            _("After"),
            _("What happened"),
        ],
        rows,
    )
