"""Template helpers of the governance app, for other apps' pages.

`{% sharing_gates_banner %}`: on the feed, what the member must do before they may share
(accept the current charter, pass a required course), each with its link; the charter's
link brings them back to the page they are on. Nothing for a member who may share, and no
query without a current membership.

`{% required_disclosures_notice %}`: on the share page, the disclosures other apps require
on every share (rewards of value: the incentive disclosure) and why.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from portevoix.accounts import frame
from portevoix.core.web import current_membership
from portevoix.governance import gates

register = template.Library()


@register.inclusion_tag("governance/_gates_banner.html", takes_context=True)
def sharing_gates_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    membership = current_membership(request) if request is not None else None
    if membership is None:
        return {"blockers": []}
    here = request.get_full_path()  # type: ignore[union-attr]
    # Kept in the member's page frame (accounts/frame.py): a charter version or acceptance,
    # a course or certificate moves its versions. The share services check the gates afresh.
    blockers = frame.cached(
        membership, f"gates:share:{get_language()}", lambda: gates.sharing_blockers(membership)
    )
    return {"blockers": [b.with_next(here) for b in blockers]}


@register.inclusion_tag("governance/_required_disclosures.html", takes_context=True)
def required_disclosures_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    membership = current_membership(request) if request is not None else None
    if membership is None:
        return {"required": []}
    return {"required": gates.required_disclosures(membership.organization)}
