"""Notifications pages: the list, the member's settings, the organization's push policy, and
the JSON endpoints that push.js calls to subscribe a browser or unsubscribe it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

from . import selectors, services
from .forms import PolicyForm, PreferencesForm
from .mail import views as mail_views
from .models import Kind

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_JSON_BYTES = 8 * 1024


@member_view
@require_http_methods(["GET"])
def notification_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "notifications/list.html",
        {
            "page": selectors.notifications_page(
                membership=membership, page=request.GET.get("page")
            ),
            "unread": selectors.unread_count(membership=membership),
        },
    )


@member_view
def mark_read(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.notification_of(membership=membership, pk=pk)  # another member's: 404
    if refused := post_only(request):
        return refused
    notification = services.notification_mark_read(membership=membership, pk=pk)
    if request.POST.get("open") and notification.url:
        return redirect(safe_next(request, notification.url, "notifications:list") or "/")
    return redirect("notifications:list")


@member_view
def mark_all_read(request: HttpRequest, membership: Membership) -> HttpResponse:
    if refused := post_only(request):
        return refused
    services.notifications_mark_all_read(membership=membership)
    return redirect("notifications:list")


@member_view
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = selectors.preferences(membership=membership)
    default_zone = selectors.default_time_zone(membership=membership)
    options: dict[str, Any] = {
        "time_zones": selectors.time_zone_choices(),
        "default_zone": default_zone,
    }
    if request.method == "POST":
        form = PreferencesForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.preferences_update(
                    membership=membership,
                    data=services.PreferencesData(
                        kinds_on=list(data["kinds"]),
                        push_enabled=bool(data["push_enabled"]),
                        quiet_start=data["quiet_start"],
                        quiet_end=data["quiet_end"],
                        time_zone=data["time_zone"] or "",
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map={"kinds": "kinds"})
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
    else:
        form = PreferencesForm(
            initial={
                "kinds": [k for k in Kind.values if k not in (current.kinds_off or [])],
                "push_enabled": current.push_enabled,
                "quiet_start": current.quiet_start,
                "quiet_end": current.quiet_end,
                "time_zone": current.time_zone,
            },
            **options,
        )
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "push": selectors.push_status(membership=membership)},
    )


@member_view
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = selectors.policy_max_pushes(membership=membership)  # org admins only
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.policy_update(
                    membership=membership,
                    max_pushes_per_day=form.cleaned_data["max_pushes_per_day"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The notification policy is saved."))
                return redirect("notifications:policy")
    else:
        form = PolicyForm(initial={"max_pushes_per_day": current})
    return render(
        request,
        "notifications/policy.html",
        {"form": form, "digest_form": mail_views.digest_schedule_form(membership)},
    )


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_JSON_BYTES:
        return None
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@member_view
def subscribe(request: HttpRequest, membership: Membership) -> HttpResponse:
    if refused := post_only(request):
        return refused
    body = _json_body(request)
    keys = body.get("keys") if body else None
    if body is None or not isinstance(keys, dict):
        return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
    try:
        services.subscription_save(
            membership=membership,
            endpoint=str(body.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    status = selectors.push_status(membership=membership)
    return JsonResponse({"subscribed": True, "devices": status.devices}, status=201)


@member_view
def unsubscribe(request: HttpRequest, membership: Membership) -> HttpResponse:
    if refused := post_only(request):
        return refused
    body = _json_body(request)
    if body is None:
        return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
    services.subscription_delete(membership=membership, endpoint=str(body.get("endpoint") or ""))
    status = selectors.push_status(membership=membership)
    return JsonResponse({"subscribed": False, "devices": status.devices})
