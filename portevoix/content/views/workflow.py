"""An item's page and its workflow actions: submit, approve, request changes, comment,
archive, restore."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.accounts.permissions import can
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from .. import previews, review, selectors, services
from ..forms import (
    CommentForm,
    SubmitForm,
)
from ..models import ContentItem, State
from .common import (
    ACTION_LABELS,
    WORKFLOW_ACTIONS,
    copy_groups,
    state_label,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# --- Detail and workflow

REVIEW_DIFF_STATES = {State.IN_REVIEW, State.CHANGES_REQUESTED}


@dataclass
class HistoryRow:
    actor: str
    at: Any
    from_label: str
    to_label: str
    action_label: str
    comment: str
    changed: bool


def _render_detail(
    request: HttpRequest,
    membership: Membership,
    item: ContentItem,
    *,
    forms: dict[str, CommentForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    approvals = list(selectors.item_approvals(item=item))
    approved_by_me = any(a.approver_id == membership.user_id for a in approvals)
    history: list[HistoryRow] = []
    if can(membership, "content.view_history", item):
        for t in selectors.item_history(item=item):
            history.append(
                HistoryRow(
                    actor=t.actor.display_name if t.actor else _("Automatic"),
                    at=t.at,
                    from_label=state_label(t.from_state),
                    to_label=state_label(t.to_state),
                    action_label=str(ACTION_LABELS.get(t.action, t.action)),
                    comment=t.comment,
                    changed=t.from_state != t.to_state,
                )
            )
    action_forms = {name: _form_class(name)(prefix=name) for name in WORKFLOW_ACTIONS}
    action_forms.update(forms or {})
    effective = selectors.effective_state(item)
    org = membership.organization
    return render(
        request,
        "content/item_detail.html",
        {
            "item": item,
            "state": effective,
            "state_label": state_label(effective),
            "groups": copy_groups(item),
            "approvals": approvals,
            "approvals_required": org.approvals_required,
            "review_days": org.review_days,
            "final_approval_required": org.final_approval_required,
            "history": history,
            "show_history": can(membership, "content.view_history", item),
            "actions": selectors.item_allowed_actions(
                membership=membership, item=item, approved_by_me=approved_by_me
            ),
            "approved_by_me": approved_by_me,
            "action_forms": action_forms,
            "error": error,
            "origins": selectors.item_origins(item=item),
            "item_actions": selectors.item_actions(membership=membership, item=item),
            "can_refresh_preview": bool(item.link) and can(membership, "content.edit", item),
            "preview_reason": previews.reason_label(item.preview_reason),
            # What changed since the last approved revision, while the item is being reviewed.
            "review_diff": review.item_review_diff(item=item)
            if item.state in REVIEW_DIFF_STATES
            else None,
        },
        status=status,
    )


@member_view
def item_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    return _render_detail(request, membership, item)


SUCCESS_MESSAGES = {
    "submit": gettext_lazy("Submitted for review."),
    "approve": gettext_lazy("Your approval was recorded."),
    "request_changes": gettext_lazy("Changes were requested from the author."),
    "comment": gettext_lazy("Your comment was added."),
    "archive": gettext_lazy("The item was archived."),
    "restore": gettext_lazy("The item was restored as a draft."),
}


def _form_class(action: str) -> type[CommentForm]:
    return SubmitForm if action == "submit" else CommentForm


def _run_action(action: str, membership: Membership, item: ContentItem, form: CommentForm) -> None:
    comment = form.cleaned_data["comment"].strip()
    if isinstance(form, SubmitForm):
        services.item_submit(
            membership=membership, item=item, comment=comment, review_due_at=form.review_due_at()
        )
    elif action == "approve":
        services.item_approve(membership=membership, item=item, comment=comment)
    elif action == "request_changes":
        services.item_request_changes(membership=membership, item=item, comment=comment)
    elif action == "comment":
        services.item_comment(membership=membership, item=item, comment=comment)
    elif action == "archive":
        services.item_archive(membership=membership, item=item, comment=comment)
    elif action == "restore":
        services.item_restore(membership=membership, item=item, comment=comment)
    else:  # pragma: no cover - the URLs only route known actions
        raise Http404("Unknown action")


@member_view
def item_action(request: HttpRequest, membership: Membership, pk: int, action: str) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    form = _form_class(action)(request.POST, prefix=action)
    if not form.is_valid():
        return _render_detail(request, membership, item, forms={action: form}, status=400)
    try:
        _run_action(action, membership, item, form)
    except DomainError as exc:
        apply_domain_error(form, exc, field_map={"review_due_at": "review_due_on"})
        reasons = [exc.message]
        shown = {"comment", "review_due_at"}
        reasons += [m for key, msgs in exc.field_errors.items() if key not in shown for m in msgs]
        item = selectors.item_for_editor(membership=membership, pk=pk)
        return _render_detail(
            request,
            membership,
            item,
            forms={action: form},
            error=" ".join(reasons),
            status=exc.status,
        )
    messages.success(request, str(SUCCESS_MESSAGES[action]))
    return redirect("content:item", pk=item.pk)
