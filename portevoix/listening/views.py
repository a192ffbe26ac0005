"""Listening pages: the vigilance inbox (`listening.view`: mentions by monitor, filters,
status by POST) and the monitors and feeds (`listening.manage`). Thin: selectors read,
services write."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

from . import selectors, sentiment, services, services_reddit, services_vigilance
from .forms import FeedForm, MonitorForm, RedditAppForm, RetentionForm, StatusForm, lines
from .models import LANGUAGES, MentionStatus, Sentiment

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest, membership: Membership) -> selectors.InboxFilters:
    monitor = request.GET.get("monitor", "")
    status = request.GET.get("status", MentionStatus.NEW)
    feeling = request.GET.get("sentiment", "")
    language = request.GET.get("language", "")
    return selectors.InboxFilters(
        monitor_id=int(monitor) if monitor.isdigit() and len(monitor) < 12 else None,
        network=request.GET.get("network", "")[:20],
        status=status if status in MentionStatus.values else "",
        sentiment=feeling if feeling in {*Sentiment.values, "none"} else "",
        language=language if language in dict(LANGUAGES) else "",
        since=_day(request.GET.get("from", "")),
        until=_day(request.GET.get("to", "")),
        assignee_id=membership.pk if request.GET.get("mine") == "1" else None,
        before=selectors.parse_cursor(request.GET.get("before", "")),
    )


@never_cache
@member_view
@require_http_methods(["GET"])
def inbox(request: HttpRequest, membership: Membership) -> HttpResponse:
    filters = _filters(request, membership)
    page = selectors.inbox_page(membership=membership, filters=filters)
    following = request.GET.copy()
    following["before"] = page.next_cursor
    context = {
        "mentions": page.mentions,
        "next_query": following.urlencode() if page.next_cursor else "",
        "monitors": selectors.monitors(membership=membership),
        "networks": selectors.networks(membership=membership),
        "listeners": list(services_vigilance.listeners(membership.organization_id)),
        "filters": filters,
        "statuses": MentionStatus.choices,
        "sentiments": Sentiment.choices,
        "languages": LANGUAGES,
        "methods": sentiment.METHODS,
        "size": selectors.INBOX_SIZE,
    }
    return render(request, "listening/inbox.html", context)


@member_view
def mention_status(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    mention = selectors.mention_of(membership=membership, pk=pk)  # 404 / 403
    if refused := post_only(request):
        return refused
    form = StatusForm(request.POST)
    if form.is_valid():
        services.mention_set_status(
            actor=membership, mention=mention, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The mention is marked."))
    back = safe_next(request, request.POST.get("next"), default=None)
    return redirect(back or "listening:inbox")


def _monitor_data(form: MonitorForm) -> services.MonitorData:
    data = form.cleaned_data
    return services.MonitorData(
        name=data["name"],
        terms=lines(data["terms"]),
        exclusions=lines(data["exclusions"]),
        languages=list(data["languages"]),
        active=bool(data["active"]),
        category=data["category"] or "brand",
    )


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def monitors(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.monitors(membership=membership, action="listening.manage")
    if request.method == "POST":
        form = MonitorForm(request.POST)
        if form.is_valid():
            try:
                services.monitor_create(actor=membership, data=_monitor_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The monitor is added."))
                return redirect("listening:monitors")
    else:
        form = MonitorForm(initial={"active": True, "category": "brand"})
    return render(request, "listening/monitors.html", {"monitors": rows, "form": form})


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def monitor_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    monitor = selectors.monitor_of(membership=membership, pk=pk)
    if request.method == "POST":
        form = MonitorForm(request.POST)
        if form.is_valid():
            try:
                services.monitor_update(actor=membership, monitor=monitor, data=_monitor_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The monitor is saved."))
                return redirect("listening:monitors")
    else:
        form = MonitorForm(
            initial={
                "name": monitor.name,
                "terms": "\n".join(monitor.terms),
                "exclusions": "\n".join(monitor.exclusions),
                "languages": monitor.languages,
                "active": monitor.active,
                "category": monitor.category,
            }
        )
    return render(request, "listening/monitor.html", {"monitor": monitor, "form": form})


def _feed_data(form: FeedForm) -> services.FeedData:
    data = form.cleaned_data
    return services.FeedData(
        url=data["url"] or "",
        title=data["title"] or "",
        interval_minutes=data["interval_minutes"],
        active=bool(data["active"]),
        kind=data["kind"] or "rss",
        query=data["query"] or "",
        curate=bool(data["curate"]),
        subreddit=data["subreddit"] or "",
        token=data["token"] or "",
        stream=data["stream"] or "",
    )


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.feeds(membership=membership)  # listening.manage, or 403
    reddit_on = selectors.reddit_app(membership=membership) is not None
    form = FeedForm(
        initial={"active": True, "interval_minutes": 30, "kind": "rss"}, reddit=reddit_on
    )
    retention = RetentionForm(
        initial={"retention_days": services.retention_days(membership.organization_id)}
    )
    if request.method == "POST" and "retention_days" in request.POST:
        retention = RetentionForm(request.POST)
        if retention.is_valid():
            try:
                services.retention_set(
                    actor=membership, days=retention.cleaned_data["retention_days"]
                )
            except DomainError as exc:
                apply_domain_error(retention, exc)
            else:
                messages.success(request, _("The retention is saved."))
                return redirect("listening:feeds")
    elif request.method == "POST":
        form = FeedForm(request.POST, reddit=reddit_on)
        if form.is_valid():
            try:
                services.feed_create(actor=membership, data=_feed_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The feed is added."))
                return redirect("listening:feeds")
    context = {"feeds": rows, "form": form, "retention": retention, "reddit_on": reddit_on}
    return render(request, "listening/feeds.html", context)


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def feed_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    feed = selectors.feed_of(membership=membership, pk=pk)
    if request.method == "POST":
        form = FeedForm(request.POST)
        if form.is_valid():
            try:
                services.feed_update(actor=membership, feed=feed, data=_feed_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The feed is saved."))
                return redirect("listening:feeds")
    else:
        form = FeedForm(
            initial={
                "kind": feed.kind,
                "url": feed.url,
                "query": feed.query,
                "subreddit": feed.subreddit,
                "title": feed.title,
                "interval_minutes": feed.interval_minutes,
                "active": feed.active,
                "curate": feed.curate,
                "stream": feed.stream,
            }
        )
    return render(request, "listening/feed.html", {"feed": feed, "form": form})


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def reddit_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The organization's own Reddit app (`listening.manage`): without it, no Reddit source."""
    row = selectors.reddit_app(membership=membership)  # listening.manage, or 403
    if request.method == "POST":
        form = RedditAppForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_reddit.app_save(
                    actor=membership,
                    data=services_reddit.AppData(
                        client_id=data["client_id"],
                        user_agent=data["user_agent"],
                        client_secret=data["client_secret"] or "",
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The Reddit app is saved: Reddit can be a source."))
                return redirect("listening:reddit")
    else:
        form = RedditAppForm(
            initial={"client_id": row.client_id, "user_agent": row.user_agent} if row else {}
        )
    context = {"form": form, "app": row, "secret_saved": bool(row and row.client_secret_sealed)}
    return render(request, "listening/reddit.html", context)


@member_view
def reddit_remove(request: HttpRequest, membership: Membership) -> HttpResponse:
    if refused := post_only(request):
        return refused
    paused = services_reddit.app_remove(actor=membership)  # listening.manage, or 403
    messages.success(
        request,
        ngettext(
            "The Reddit app is removed; %(count)d Reddit source is paused.",
            "The Reddit app is removed; %(count)d Reddit sources are paused.",
            paused,
        )
        % {"count": paused},
    )
    return redirect("listening:reddit")
