"""The ambassador feed: compact cards, "new since your last visit", filters and search."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator

from portevoix.accounts import services as account_services
from portevoix.accounts.permissions import can
from portevoix.core.web import member_view

from .. import selectors
from ..forms import FeedFilterForm
from ..models import ContentItem
from .common import FEED_PAGE_SIZE

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The card shows this much of the body; a longer body opens with "more".
EXCERPT_CHARS = 120


@dataclass
class FeedCard:
    item: ContentItem
    is_new: bool
    excerpt: str
    long_body: bool
    image_url: str
    image_alt: str


class _CountedPaginator(Paginator):
    """A paginator told its count (the feed's page query counts the whole feed)."""

    def __init__(self, per_page: int, count: int) -> None:
        super().__init__([], per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _card(item: Any) -> FeedCard:
    text = html.unescape(strip_tags(item.body_html)).strip()
    excerpt = Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)
    image = item.first_image or ""
    return FeedCard(
        item=item,
        is_new=bool(item.is_new),
        excerpt=excerpt,
        long_body=excerpt != " ".join(text.split()),
        image_url=default_storage.url(image) if image else "",
        image_alt=item.first_image_alt or "",
    )


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else 1


@member_view
def feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not can(membership, "feed.view"):
        # Sharing is voluntary: invite, never enrol anyone automatically.
        return render(request, "content/feed_invite.html")
    since = account_services.ambassador_feed_visit(membership=membership)
    topics, campaigns = selectors.feed_filter_choices(membership=membership)
    form = FeedFilterForm(request.GET, topics=topics, campaigns=campaigns)
    filters = form.filters()
    number = max(1, _page_number(request.GET.get("page")))

    def page_slice(n: int) -> selectors.FeedSlice:
        return selectors.feed_slice(
            membership=membership,
            offset=(n - 1) * FEED_PAGE_SIZE,
            limit=FEED_PAGE_SIZE,
            since=since,
            filters=filters,
        )

    found = page_slice(number)
    if not found.items and number > 1:  # past the end: the last page, as get_page does
        found = page_slice(1)
        number = max(1, math.ceil(found.total / FEED_PAGE_SIZE))
        if number > 1:
            found = page_slice(number)
    page = Page(found.items, number, _CountedPaginator(FEED_PAGE_SIZE, found.total))
    return render(
        request,
        "content/feed.html",
        {
            "page": page,
            "cards": [_card(item) for item in found.items],
            "new_count": found.new,
            "since": since,
            "form": form,
            "filters": filters,
            "total": found.total,
        },
    )
