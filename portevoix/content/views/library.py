"""The library, and the editor: create and edit items, add and remove images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from .. import selectors, services
from ..forms import (
    ImageForm,
    ItemForm,
    LibraryFilterForm,
)
from ..models import ContentItem, State
from .common import (
    LIBRARY_PAGE_SIZE,
    STATE_CODES,
    STATE_TABS,
    state_label,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


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
        rows.append(LibraryRow(item, effective, state_label(effective)))
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
