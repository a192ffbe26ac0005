"""The ambassador feed: compact cards, "new since your last visit", filters and search.

A page is a slice of the feed's cached ranking and its cards come from the cache when they
can (content/feed_cache.py, templatetags/content_feed.py, docs/decisions/0004-feed-cache.md).
The page's body is kept per member (core/page_cache.py, docs/decisions/0036-page-body-cache.md):
keyed on the member's frame version (charter, courses, connected accounts, roles), the
organization's (a pause, a charter version), the feed's stamp (content version and
interests), the member's content languages and the last visit the "new" markers compare
with; it ends when an item goes live or expires. A page whose cards show the member's own
posts (a connected account) is not kept: publishing says so as it renders them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

from portevoix.accounts import frame
from portevoix.accounts import services as account_services
from portevoix.accounts.permissions import can
from portevoix.core import page_cache
from portevoix.core.web import member_view

from .. import feed_cache
from ..forms import FeedFilterForm
from .common import FEED_PAGE_SIZE

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


class _CountedPaginator(Paginator):
    """A paginator told its count (the length of the feed's ranking): no COUNT query."""

    def __init__(self, per_page: int, count: int) -> None:
        super().__init__([], per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else 1


@member_view
def feed(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not can(membership, "feed.view"):
        # Sharing is voluntary: invite, never enrol anyone automatically.
        return render(request, "content/feed_invite.html")
    since = account_services.ambassador_feed_visit(membership=membership)
    stamp = feed_cache.stamp(membership=membership)
    key = frame.body_key(
        request,
        membership,
        "feed",
        stamp.version,
        stamp.interests,
        feed_cache.viewer_languages(membership),
        since.isoformat() if since else None,
        per_member=True,
    )
    return page_cache.render_page(
        request,
        "content/feed.html",
        key=key,
        context=lambda: _feed_context(request, membership, stamp, since),
    )


def _feed_context(
    request: HttpRequest, membership: Membership, stamp: feed_cache.Stamp, since: Any
) -> dict[str, Any]:
    """What the feed's body shows: the page of cards, the filters, the counts."""
    topics, campaigns = feed_cache.filter_choices(membership=membership, stamp=stamp)
    form = FeedFilterForm(request.GET, topics=topics, campaigns=campaigns)
    filters = form.filters()
    number = max(1, _page_number(request.GET.get("page")))

    def page_at(n: int) -> feed_cache.FeedPage:
        return feed_cache.feed_page(
            membership=membership,
            stamp=stamp,
            offset=(n - 1) * FEED_PAGE_SIZE,
            limit=FEED_PAGE_SIZE,
            since=since,
            filters=filters,
        )

    found = page_at(number)
    if not found.items and number > 1:  # past the end: the last page, as get_page does
        number = max(1, math.ceil(found.total / FEED_PAGE_SIZE))
        found = page_at(number)
    page = Page(found.items, number, _CountedPaginator(FEED_PAGE_SIZE, found.total))
    return {
        "page": page,
        "feed_page": found,
        "cards": found.cards,  # (item, is_new): the cards themselves come from `feed_cards`
        "new_count": found.new,
        "since": since,
        "form": form,
        "filters": filters,
        "total": found.total,
        page_cache.UNTIL: found.valid_until,  # the kept body ends when an item goes live
    }
