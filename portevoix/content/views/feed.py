"""The ambassador feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portevoix.accounts.permissions import can
from portevoix.core.web import member_view

from .. import selectors
from ..models import ContentItem
from .common import (
    FEED_PAGE_SIZE,
    CopyGroup,
    copy_groups,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


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
