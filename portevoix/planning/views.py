"""The content calendar's pages: the month or week, moving an item, the feed address and
the iCalendar feed itself (reached with its secret, without a session)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portevoix.accounts import frame
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.content.services.schedule import item_reschedule
from portevoix.core import page_cache
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.web import member_view, post_only, safe_next

from . import ical, selectors, services
from .forms import MoveForm

if TYPE_CHECKING:
    import datetime as dt

    from portevoix.accounts.models import Membership

FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 365


def _calendar_url(view: str, day: dt.date, filters: selectors.Filters) -> str:
    query = {"view": view, "date": day.isoformat(), **filters.as_query()}
    return reverse("planning:calendar") + "?" + urlencode(query)


def _page(
    request: HttpRequest, membership: Membership, issued: services.IssuedFeed | None = None
) -> HttpResponse:
    def context() -> dict[str, object]:
        params = request.GET
        today = timezone.localdate()
        view = selectors.parse_view(params.get("view"))
        anchor = selectors.parse_date(params.get("date"), today)
        filters = selectors.parse_filters({key: params.get(key, "") for key in params})
        cal = selectors.calendar_for(
            membership=membership, view=view, anchor=anchor, filters=filters
        )
        here = _calendar_url(view, anchor, filters)
        for day in cal.days:  # where the entries a day could not list are
            if day.more:
                day.more_url = (
                    _calendar_url("week", day.date, filters)
                    if view == "month"
                    else reverse("content:library")
                    + "?"
                    + urlencode(
                        {"date_from": day.date.isoformat(), "date_to": day.date.isoformat()}
                    )
                )
        context = {
            "cal": cal,
            "here": here,
            "previous_url": _calendar_url(view, cal.previous, filters),
            "next_url": _calendar_url(view, cal.next, filters),
            "today_url": _calendar_url(view, today, filters),
            "month_url": _calendar_url("month", anchor, filters),
            "week_url": _calendar_url("week", anchor, filters),
            "choices": selectors.filter_choices(membership=membership),
        }
        return context

    # Shared by the members with the same roles (which items they may move, whether names
    # are shown); the content's and the organization's versions (also moved by training
    # events) in the key; scheduled posts and teams at most PAGE_CACHE_SECONDS late
    # (docs/decisions/0036-page-body-cache.md). The feed address is the member's own: shown
    # outside the kept body, read only when the page is rendered. A new or revoked address
    # moves the member's frame version (services), which the whole page's key holds.
    key = frame.body_key(
        request,
        membership,
        "calendar",
        content_selectors.content_version(organization_id=membership.organization_id),
    )

    def own() -> dict[str, object]:
        return {
            "feed": selectors.active_feed(membership=membership),
            "issued": issued,
            "feed_url": (
                request.build_absolute_uri(reverse("planning:ical", args=[issued.secret]))
                if issued
                else ""
            ),
        }

    response = page_cache.render_page(
        request,
        "planning/calendar.html",
        key=key,
        context=context,
        always=own,
        # Never a page showing a new address's secret (shown once).
        always_key=None if issued else "feed address: the member's frame version",
    )
    if issued:
        response["Cache-Control"] = "no-store"  # the secret is shown once
    return response


@member_view
@require_GET
def calendar(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "calendar.view")
    return _page(request, membership)


@member_view
def item_move(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """Move an item to a new publish-at (the entry's "Move to" form, or a drop)."""
    require(membership, "calendar.view")
    item = content_selectors.item_for_editor(membership=membership, pk=pk)  # outsider: 404
    if refused := post_only(request):
        return refused
    form = MoveForm(request.POST)
    back = safe_next(request, request.POST.get("next"), reverse("planning:calendar"))
    if not form.is_valid():
        messages.error(request, _("Enter a date and a time."))
        return redirect(back or "planning:calendar")
    try:
        item_reschedule(
            membership=membership, item=item, publish_at=form.cleaned_data["publish_at"]
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, f"{item.title}: {exc.message}")
    else:
        messages.success(request, _("“%(title)s” moved.") % {"title": item.title})
    return redirect(back or "planning:calendar")


@member_view
@require_http_methods(["POST"])
def feed_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    """A new secret feed address (the previous one stops), shown once on the page."""
    issued = services.feed_token_create(membership=membership)
    return _page(request, membership, issued)


@member_view
@require_http_methods(["POST"])
def feed_revoke(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "calendar.view")
    services.feed_token_revoke(membership=membership)
    messages.success(request, _("The calendar feed address no longer works."))
    return redirect("planning:calendar")


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The member's calendar for their calendar app: the same entries as the page, from two
    months back to a year ahead. Unknown, revoked or no longer allowed: 404."""
    found = selectors.feed_owner(token)
    if found is None:
        raise Http404
    feed_token, membership = found
    today = timezone.localdate()
    start = selectors.start_of(today - FEED_PAST_DAYS * selectors.ONE_DAY)
    end = selectors.start_of(today + FEED_FUTURE_DAYS * selectors.ONE_DAY)
    entries = selectors.entries_between(membership, start, end, selectors.Filters())
    services.feed_token_touch(feed_token)
    body = ical.feed(
        entries,
        name=_("%(organization)s content calendar")
        % {"organization": membership.organization.name},
        domain=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
