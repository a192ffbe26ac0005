"""Web pages of the content library, the approval workflow and the ambassador feed.

Views parse, authorize, call a service or a selector, and render. Every item is reached
through `selectors.item_for_editor`, so another organization's item is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.accounts.models import Membership
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import (
    CampaignForm,
    CommentForm,
    ImageForm,
    ItemForm,
    LibraryFilterForm,
    TopicForm,
)
from .models import ContentItem, NetworkCopy, State

LIBRARY_PAGE_SIZE = 20
FEED_PAGE_SIZE = 10

# Tabs of the library, in order; "" is every item.
STATE_TABS: list[tuple[str, Any]] = [
    ("", gettext_lazy("All")),
    (State.DRAFT, State.DRAFT.label),
    (State.IN_REVIEW, State.IN_REVIEW.label),
    (State.CHANGES_REQUESTED, State.CHANGES_REQUESTED.label),
    (State.APPROVED, gettext_lazy("Scheduled")),
    (State.LIVE, State.LIVE.label),
    (State.EXPIRED, State.EXPIRED.label),
    (State.ARCHIVED, State.ARCHIVED.label),
]
STATE_CODES = {code for code, _label in STATE_TABS}

# How the history names each recorded action.
ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "edit": gettext_lazy("Edited"),
    "submit": gettext_lazy("Submitted for review"),
    "approve": gettext_lazy("Approved"),
    "request_changes": gettext_lazy("Changes requested"),
    "comment": gettext_lazy("Comment"),
    "archive": gettext_lazy("Archived"),
    "restore": gettext_lazy("Restored"),
    "schedule": gettext_lazy("Schedule"),
}

WORKFLOW_ACTIONS = ("submit", "approve", "request_changes", "comment", "archive", "restore")


@dataclass
class CopyGroup:
    network: str
    label: str
    copies: list[NetworkCopy]


def copy_groups(item: ContentItem) -> list[CopyGroup]:
    """The item's (prefetched) copies grouped per network, in the usual network order."""
    by_network: dict[str, list[NetworkCopy]] = {}
    for copy in item.copies.all():
        by_network.setdefault(copy.network, []).append(copy)
    return [
        CopyGroup(network, Network.LABELS[network], by_network[network])
        for network in Network.ALL
        if network in by_network
    ]


def _state_label(code: str) -> str:
    return str(State(code).label)


# --- Library


@dataclass
class LibraryRow:
    item: ContentItem
    state: str
    state_label: str


@member_view
def library(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "content.view_library")
    filters = LibraryFilterForm(request.GET)
    search = language = ""
    if filters.is_valid():
        search = filters.cleaned_data["q"].strip()
        language = filters.cleaned_data["language"]
    state = request.GET.get("state", "")
    if state not in STATE_CODES:
        state = ""
    items = selectors.library_items(
        membership=membership,
        state=state or None,
        search=search or None,
        language=language or None,
    )
    page = Paginator(items, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = []
    for item in page:
        effective = selectors.effective_state(item, now)
        rows.append(LibraryRow(item, effective, _state_label(effective)))
    return render(
        request,
        "content/library.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "tabs": STATE_TABS,
            "state": state,
            "can_create": can(membership, "content.create"),
            "can_manage_taxonomy": can(membership, "taxonomy.manage"),
        },
    )


# --- Create and edit


def _item_form(
    request: HttpRequest, membership: Membership, item: ContentItem | None = None
) -> ItemForm:
    kwargs: dict[str, Any] = {
        "topics": list(selectors.topics(membership=membership)),
        "campaigns": list(selectors.campaigns(membership=membership)),
        "item": item,
    }
    if request.method == "POST":
        return ItemForm(request.POST, **kwargs)
    if item is None:
        kwargs["initial"] = {"language": membership.organization.default_language}
    return ItemForm(**kwargs)


def _render_editor(
    request: HttpRequest,
    form: ItemForm,
    item: ContentItem | None = None,
    *,
    image_form: ImageForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "content/item_form.html",
        {
            "form": form,
            "groups": form.network_groups(),
            "item": item,
            "image_form": image_form or ImageForm(),
            "error": error,
            "back_to_review": item is not None and item.state in services.BACK_TO_REVIEW_STATES,
        },
        status=status,
    )


@member_view
def item_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "content.create")
    form = _item_form(request, membership)
    if request.method == "POST":
        if not form.is_valid():
            return _render_editor(request, form, status=400)
        try:
            item = services.item_create(membership=membership, data=form.to_item_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.domain_field)
            return _render_editor(request, form, error=exc.message, status=400)
        messages.success(request, _("The item was created as a draft."))
        return redirect("content:item", pk=item.pk)
    return _render_editor(request, form)


@member_view
def item_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    require(membership, "content.edit", item)
    if item.state == State.ARCHIVED:
        messages.warning(request, _("Archived content cannot be edited; restore it first."))
        return redirect("content:item", pk=item.pk)
    form = _item_form(request, membership, item)
    if request.method == "POST":
        if not form.is_valid():
            return _render_editor(request, form, item, status=400)
        previous_state = item.state
        try:
            item = services.item_update(membership=membership, item=item, data=form.to_item_data())
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.domain_field)
            return _render_editor(request, form, item, error=exc.message, status=exc.status)
        if item.state != previous_state:
            messages.warning(request, _("Saved. The item went back to review."))
        else:
            messages.success(request, _("Saved."))
        return redirect("content:item", pk=item.pk)
    return _render_editor(request, form, item)


@member_view
def image_add(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    require(membership, "content.edit", item)
    image_form = ImageForm(request.POST, request.FILES)
    if image_form.is_valid():
        try:
            services.image_add(
                membership=membership,
                item=item,
                upload=image_form.cleaned_data["image"],
                alt_text=image_form.cleaned_data["alt_text"],
            )
        except DomainError as exc:
            apply_domain_error(image_form, exc)
        else:
            messages.success(request, _("The image was added."))
            return redirect("content:item_edit", pk=item.pk)
    # The item form was not posted: show it with the stored values.
    form = ItemForm(
        topics=list(selectors.topics(membership=membership)),
        campaigns=list(selectors.campaigns(membership=membership)),
        item=item,
    )
    return _render_editor(request, form, item, image_form=image_form, status=400)


@member_view
def image_remove(
    request: HttpRequest, membership: Membership, pk: int, image_id: int
) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    image = next((img for img in item.images.all() if img.pk == image_id), None)
    if image is None:
        raise Http404("Not found")
    if refused := post_only(request):
        return refused
    services.image_remove(membership=membership, image=image)
    messages.success(request, _("The image was removed."))
    return redirect("content:item_edit", pk=item.pk)


# --- Detail and workflow


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
                    from_label=_state_label(t.from_state),
                    to_label=_state_label(t.to_state),
                    action_label=str(ACTION_LABELS.get(t.action, t.action)),
                    comment=t.comment,
                    changed=t.from_state != t.to_state,
                )
            )
    action_forms = {name: CommentForm(prefix=name) for name in WORKFLOW_ACTIONS}
    action_forms.update(forms or {})
    effective = selectors.effective_state(item)
    org = membership.organization
    return render(
        request,
        "content/item_detail.html",
        {
            "item": item,
            "state": effective,
            "state_label": _state_label(effective),
            "groups": copy_groups(item),
            "approvals": approvals,
            "approvals_required": org.approvals_required,
            "final_approval_required": org.final_approval_required,
            "history": history,
            "show_history": can(membership, "content.view_history", item),
            "actions": selectors.item_allowed_actions(
                membership=membership, item=item, approved_by_me=approved_by_me
            ),
            "approved_by_me": approved_by_me,
            "action_forms": action_forms,
            "error": error,
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


def _run_action(action: str, membership: Membership, item: ContentItem, comment: str) -> None:
    if action == "submit":
        services.item_submit(membership=membership, item=item, comment=comment)
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
    form = CommentForm(request.POST, prefix=action)
    if not form.is_valid():
        return _render_detail(request, membership, item, forms={action: form}, status=400)
    try:
        _run_action(action, membership, item, form.cleaned_data["comment"].strip())
    except DomainError as exc:
        apply_domain_error(form, exc)
        reasons = [exc.message]
        reasons += [m for key, msgs in exc.field_errors.items() if key != "comment" for m in msgs]
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


# --- Ambassador feed


@dataclass
class FeedCard:
    item: ContentItem
    groups: list[CopyGroup]


@member_view
def feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not can(membership, "feed.view"):
        # Sharing is voluntary: invite, never enrol anyone automatically.
        return render(request, "content/feed_invite.html")
    items = selectors.feed_items(membership=membership)
    page = Paginator(items, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [FeedCard(item, copy_groups(item)) for item in page]
    return render(request, "content/feed.html", {"page": page, "cards": cards})


# --- Topics and campaigns


@member_view
def topics(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "taxonomy.manage")
    form = TopicForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(membership=membership, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Topic “%(name)s” created.") % {"name": topic.name})
            return redirect("content:topics")
    return render(
        request,
        "content/topics.html",
        {"form": form, "topics": selectors.topics(membership=membership)},
        status=status,
    )


@member_view
def campaigns(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "taxonomy.manage")
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    membership=membership,
                    name=data["name"],
                    description=data["description"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Campaign “%(name)s” created.") % {"name": campaign.name}
                )
                return redirect("content:campaigns")
        status = 400
    return render(
        request,
        "content/campaigns.html",
        {"form": form, "campaigns": selectors.campaigns(membership=membership)},
        status=status,
    )
