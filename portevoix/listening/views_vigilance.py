"""The vigilance pages beside the inbox (decision 0027): assigning a mention (POST,
`listening.view`), the spike alerts (`listening.view`) and their thresholds
(`listening.manage`), the weekly executive summary (`listening.view`). Thin."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, forbidden, member_view, post_only, safe_next

from . import alerts as spike_alerts
from . import selectors, selectors_summary, sentiment, services_vigilance

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


class AlertSettingsForm(forms.Form):
    spike_factor = forms.FloatField(
        label=gettext_lazy("A spike is at least … times the usual hourly count"),
        min_value=1.5,
        max_value=20,
    )
    spike_minimum = forms.IntegerField(
        label=gettext_lazy("… and at least this many mentions in the hour"), min_value=1
    )
    negative_rise = forms.IntegerField(
        label=gettext_lazy("Negative share above the usual by at least (points of %)"),
        min_value=5,
        max_value=100,
    )
    negative_minimum = forms.IntegerField(
        label=gettext_lazy("… with at least this many negative mentions in the hour"),
        min_value=1,
    )


@member_view
def mention_assign(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    mention = selectors.mention_of(membership=membership, pk=pk)  # 404 / 403
    if refused := post_only(request):
        return refused
    value = request.POST.get("assignee", "")
    try:
        services_vigilance.mention_assign(
            actor=membership,
            mention=mention,
            assignee_id=int(value) if value.isdigit() and len(value) < 12 else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The mention is assigned."))
    back = safe_next(request, request.POST.get("next"), default=None)
    return redirect(back or "listening:inbox")


@never_cache
@member_view
@require_http_methods(["GET"])
def alerts(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors_summary.alerts(membership=membership)
    context = {
        "alerts": [(a, spike_alerts.pause_path(a, a.monitor.name)) for a in rows],
        "settings": services_vigilance.alert_settings(membership.organization_id),
        "can_manage": can(membership, "listening.manage"),
        "can_pause": can(membership, "publishing.pause"),
    }
    return render(request, "listening/alerts.html", context)


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = services_vigilance.alert_settings(membership.organization_id)
    if not can(membership, "listening.manage"):
        return forbidden(request)
    form = AlertSettingsForm(initial=current.__dict__)
    if request.method == "POST":
        form = AlertSettingsForm(request.POST)
        if form.is_valid():
            try:
                services_vigilance.alert_settings_set(
                    actor=membership, settings=services_vigilance.AlertSettings(**form.cleaned_data)
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The alert thresholds are saved."))
                return redirect("listening:alerts")
    return render(request, "listening/alert_settings.html", {"form": form})


@never_cache
@member_view
@require_http_methods(["GET"])
def summary(request: HttpRequest, membership: Membership) -> HttpResponse:
    day = None
    if value := request.GET.get("week", ""):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            day = None
    found = selectors_summary.summary(membership=membership, day=day)
    context = {
        "summary": found,
        "previous_week": (found.start - dt.timedelta(days=7)).date().isoformat(),
        "next_week": found.end.date().isoformat(),
        "last_day": found.end - dt.timedelta(days=1),
        "methods": sentiment.METHODS,
    }
    return render(request, "listening/summary.html", context)
