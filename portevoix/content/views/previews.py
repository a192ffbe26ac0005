"""The "Refresh preview" action of an item's page: read the item's link again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portevoix.core.errors import DomainError
from portevoix.core.web import member_view, post_only

from .. import previews, selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
def item_preview_refresh(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        previews.item_preview_refresh(membership=membership, item=item)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The link's preview will be read again in a moment."))
    return redirect("content:item", pk=item.pk)
