"""The library, and the editor: create and edit items, add and remove images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.accounts import frame
from portevoix.accounts.permissions import can, require
from portevoix.core import page_cache
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from .. import selectors, selectors_library, services
from ..forms import ImageForm, ItemForm
from ..forms_library import BulkForm, LibraryFilterForm
from ..models import ContentItem, State
from .common import LIBRARY_PAGE_SIZE, STATE_TABS

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# --- Library

# The columns of the table: (sort key, label); the figures sort the page only.
COLUMNS: list[tuple[str, Any]] = [
    ("title", gettext_lazy("Title")),
    ("state", gettext_lazy("State")),
    ("type", gettext_lazy("Type")),
    ("language", gettext_lazy("Language")),
    ("campaign", gettext_lazy("Campaign")),
    ("author", gettext_lazy("Author")),
    ("publish_at", gettext_lazy("Publication")),
    ("updated", gettext_lazy("Updated")),
    ("shares", gettext_lazy("Shares")),
    ("clicks", gettext_lazy("Clicks")),
    ("conversions", gettext_lazy("Conversions")),
]


@dataclass
class Column:
    key: str
    label: str
    sort: str  # the sort its link asks for
    aria_sort: str  # "ascending", "descending" or "" (not sorted by it)
    figure: bool


def _columns(sort: str) -> list[Column]:
    current = sort.removeprefix("-")
    descending = sort.startswith("-")
    columns = []
    for key, label in COLUMNS:
        figure = key in selectors_library.FIGURE_SORTS
        if key == current:
            aria = "descending" if descending else "ascending"
            asked = key if descending else f"-{key}"
        else:
            aria = ""
            # Figures and dates read best largest or newest first.
            asked = f"-{key}" if figure or key in {"updated", "publish_at"} else key
        columns.append(Column(key, str(label), asked, aria, figure))
    return columns


def library_context(membership: Membership, query: Any) -> dict[str, Any]:
    """What the library page shows for a query string (also under the bulk report)."""
    topics, campaigns = selectors.feed_filter_choices(membership=membership)
    authors = selectors_library.library_authors(membership=membership)
    form = LibraryFilterForm(query, topics=topics, campaigns=campaigns, authors=authors)
    filters = form.filters()
    sort = form.chosen_sort()
    result = selectors_library.library_page(
        membership=membership,
        filters=filters,
        sort=sort,
        page_number=query.get("page"),
        page_size=LIBRARY_PAGE_SIZE,
    )
    labels = dict(STATE_TABS)
    labels[selectors_library.TEMPLATES_TAB] = gettext_lazy("Templates")
    tabs = [(code, labels[code], result.counts[code]) for code in selectors_library.TAB_CODES]
    may_edit = can(membership, "content.edit")
    return {
        "page": result.page,
        "rows": result.rows,
        "result": result,
        "filters": form,
        "filters_active": form.active,
        "tabs": tabs,
        "state": filters.tab,
        "columns": _columns(result.sort),
        "bulk_form": BulkForm(topics=topics, campaigns=campaigns),
        "can_bulk": may_edit or can(membership, "content.archive"),
        "can_create": can(membership, "content.create"),
        "can_manage_taxonomy": can(membership, "taxonomy.manage"),
    }


@member_view
def library(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "content.view_library")
    # Shared by the members with the same roles; figures and time-driven states at most
    # PAGE_CACHE_SECONDS late (docs/decisions/0036-page-body-cache.md).
    key = frame.body_key(
        request,
        membership,
        "library",
        selectors.content_version(organization_id=membership.organization_id),
    )
    return page_cache.render_page(
        request,
        "content/library.html",
        key=key,
        context=lambda: library_context(membership, request.GET),
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
