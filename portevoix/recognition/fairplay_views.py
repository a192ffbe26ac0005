"""The fair-play page: the flags to review (community managers and administrators), their
decision, and the thresholds (administrators)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import FairPlaySettingsForm, FlagReviewForm
from .models import FlagStatus

if TYPE_CHECKING:
    from django import forms

    from portevoix.accounts.models import Membership


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    status: int = 200,
    failed: tuple[int, forms.Form] | None = None,
    settings_form: FairPlaySettingsForm | None = None,
) -> HttpResponse:
    shown = request.GET.get("status") or FlagStatus.OPEN
    if shown not in FlagStatus.values:
        shown = FlagStatus.OPEN
    flags = selectors.fairplay_flags(membership=membership, status=shown)
    rows = [
        (
            flag,
            failed[1] if failed and failed[0] == flag.pk else FlagReviewForm(prefix=f"f{flag.pk}"),
        )
        for flag in flags
    ]
    can_manage = can(membership, "recognition.manage")
    if can_manage and settings_form is None:
        current = services.fairplay_settings(membership.organization_id)
        settings_form = FairPlaySettingsForm(
            initial={name: getattr(current, name) for name in services.fairplay.LIMITS}
        )
    context = {
        "rows": rows,
        "shown": shown,
        "statuses": FlagStatus.choices,
        "can_manage": can_manage,
        "settings_form": settings_form if can_manage else None,
    }
    return render(request, "recognition/fairplay.html", context, status=status)


@member_view
@require_http_methods(["GET"])
def fairplay(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.fairplay")
    return _page(request, membership)


@member_view
def flag_review(request: HttpRequest, membership: Membership, flag_id: int) -> HttpResponse:
    require(membership, "recognition.fairplay")
    if refused := post_only(request):
        return refused
    form = FlagReviewForm(request.POST, prefix=f"f{flag_id}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "confirm":
                flag = services.flag_confirm(
                    actor=membership,
                    flag_id=flag_id,
                    reason=data["reason"],
                    reverse_points=data["reverse_points"],
                )
                messages.success(
                    request,
                    _("Flag confirmed: %(points)s points reversed.")
                    % {"points": flag.points_reversed},
                )
            else:
                services.flag_dismiss(actor=membership, flag_id=flag_id, reason=data["reason"])
                messages.success(request, _("Flag dismissed: the points stay."))
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("recognition:fairplay")
    return _page(request, membership, status=400, failed=(flag_id, form))


@member_view
def fairplay_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "recognition.manage")
    if refused := post_only(request):
        return refused
    form = FairPlaySettingsForm(request.POST)
    if form.is_valid():
        try:
            services.fairplay_settings_set(
                actor=membership, thresholds=services.Thresholds(**form.cleaned_data)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The thresholds are saved."))
            return redirect("recognition:fairplay")
    return _page(request, membership, status=400, settings_form=form)
