"""Drafting assistance pages: the organization's model (administrators), and an item's
"Draft copies with the model" page (who may edit the item, when the model is on)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import DraftForm, SettingsForm
from .models import DEFAULT_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    row = selectors.settings_page(membership=membership)  # assist.manage, or 403
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.settings_save(
                    actor=membership,
                    data=services.SettingsData(
                        enabled=bool(data["enabled"]),
                        base_url=data["base_url"] or "",
                        model=data["model"] or "",
                        timeout_seconds=data["timeout_seconds"],
                        api_key=data["api_key"] or "",
                        remove_key=bool(data["remove_key"]),
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The drafting assistance settings are saved."))
                return redirect("assist:settings")
    else:
        form = SettingsForm(
            initial={
                "enabled": row.enabled if row else False,
                "base_url": row.base_url if row else "",
                "model": row.model if row else "",
                "timeout_seconds": row.timeout_seconds if row else DEFAULT_TIMEOUT_SECONDS,
            }
        )
    key_saved = bool(row and row.api_key_sealed)
    return render(request, "assist/settings.html", {"form": form, "key_saved": key_saved})


def _item_to_draft(membership: Membership, item_id: int) -> tuple[Any, Any]:
    """The item (404 for another organization's), who may edit it (403), and the model's
    settings; a 404 when the organization has no model on (the page does not exist)."""
    item = content_selectors.item_for_editor(membership=membership, pk=item_id)
    require(membership, "content.edit", item)
    row = selectors.enabled_settings(membership.organization_id)
    if row is None or item.state == "archived":
        raise Http404("Drafting assistance is off")
    return item, row


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    item, row = _item_to_draft(membership, item_id)
    result = None
    error = ""
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                result = services.drafts_make(
                    membership=membership,
                    item=item,
                    networks=list(form.cleaned_data["networks"]),
                    language=form.cleaned_data["language"],
                    tone=form.cleaned_data["tone"],
                )
            except services.DraftingFailed as exc:
                error = exc.message
            except Conflict as exc:
                raise Http404(exc.message) from exc
            except DomainError as exc:
                apply_domain_error(form, exc)
    else:
        networks = sorted({copy.network for copy in item.copies.all()})
        form = DraftForm(initial={"language": item.language, "networks": networks})
    context = {"item": item, "model": row.model, "form": form, "result": result, "error": error}
    return render(request, "assist/draft.html", context)


@member_view
def draft_add(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    if refused := post_only(request):
        return refused
    item, _row = _item_to_draft(membership, item_id)
    try:
        services.drafts_add(membership=membership, item=item, tokens=request.POST.getlist("draft"))
    except Conflict as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assist:draft", item_id=item.pk)
    messages.success(request, _("The chosen drafts were added as copies of the item."))
    return redirect("content:item", pk=item.pk)
