"""Rewards pages: the catalogue, my redemptions, the export, the requests to answer, the
catalogue and settings to edit. Thin: parse, authorize, call a service or a selector."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import exports, selectors, services
from .forms import ExportForm, RefuseForm, RewardForm, SettingsForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET"])
def catalogue(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "rewards.redeem")
    context = {
        "catalogue": selectors.catalogue(membership=membership),
        "can_answer": can(membership, "rewards.fulfil"),
        "can_manage": can(membership, "rewards.manage"),
    }
    return render(request, "rewards/catalogue.html", context)


@member_view
def redeem(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    require(membership, "rewards.redeem")
    selectors.reward_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        redemption = services.redemption_request(membership=membership, reward_id=pk)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("rewards:catalogue")
    if redemption.status == "pending":
        messages.success(request, _("Asked: your points are held until an administrator answers."))
    else:
        messages.success(
            request, _("Approved: your points are spent; you will hear when it is given.")
        )
    return redirect("rewards:mine")


@member_view
@require_http_methods(["GET"])
def mine(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "rewards.redeem")
    context = {"redemptions": selectors.my_redemptions(membership=membership)}
    return render(request, "rewards/mine.html", context)


@member_view
def cancel(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    require(membership, "rewards.redeem")
    selectors.my_redemption(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        services.redemption_cancel(membership=membership, pk=pk)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Cancelled: your points are back."))
    return redirect("rewards:mine")


@member_view
@require_http_methods(["GET"])
def export(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The export form, and the file once a format is asked for (GET: nothing changes)."""
    require(membership, "rewards.redeem")
    if "format" not in request.GET:
        context = {
            "form": ExportForm(initial={"period": "month", "format": "csv"}),
            "can_export_all": can(membership, "rewards.export_all"),
        }
        return render(request, "rewards/export.html", context)
    form = ExportForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        try:
            start, end = exports.period_range(
                data["period"], data["day"] or clock.now().date(), data["start"], data["end"]
            )
            if data["everyone"]:
                result = exports.export_all(membership=membership, start=start, end=end)
            else:
                result = exports.export_own(membership=membership, start=start, end=end)
        except NotFound:
            raise
        except DomainError as exc:
            if exc.status == 403:
                raise
            apply_domain_error(form, exc)
        else:
            return _download(result, data["format"], everyone=data["everyone"])
    context = {"form": form, "can_export_all": can(membership, "rewards.export_all")}
    return render(request, "rewards/export.html", context, status=400)


def _download(result: exports.Export, fmt: str, *, everyone: bool) -> HttpResponse:
    who = "everyone" if everyone else "me"
    name = f"rewards-{who}-{result.start:%Y%m%d}-{result.end:%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.as_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_view
@require_http_methods(["GET"])
def queue(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "rewards.fulfil")
    return _queue_page(request, membership, None, None)


def _queue_page(
    request: HttpRequest,
    membership: Membership,
    failed_pk: int | None,
    failed_form: RefuseForm | None,
    status: int = 200,
) -> HttpResponse:
    rows = [
        (r, failed_form if r.pk == failed_pk and failed_form else RefuseForm(prefix=f"r{r.pk}"))
        for r in selectors.queue(membership=membership)
    ]
    context = {
        "rows": rows,
        "answers": selectors.recent_answers(membership=membership),
        "budget": selectors.budget(membership=membership),
    }
    return render(request, "rewards/queue.html", context, status=status)


ACTIONS = ("approve", "fulfil", "refuse")


@member_view
def decide(request: HttpRequest, membership: Membership, pk: int, action: str) -> HttpResponse:
    require(membership, "rewards.fulfil")
    if action not in ACTIONS:
        raise NotFound(_("Not found."))
    selectors.redemption_to_answer(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    form = RefuseForm(request.POST, prefix=f"r{pk}")
    try:
        if action == "approve":
            services.redemption_approve(actor=membership, pk=pk)
        elif action == "fulfil":
            services.redemption_fulfil(actor=membership, pk=pk)
        else:
            reason = form.data.get(f"r{pk}-reason", "")
            services.redemption_refuse(actor=membership, pk=pk, reason=str(reason))
    except NotFound:
        raise
    except DomainError as exc:
        if exc.status == 403:
            raise
        if action == "refuse" and exc.field_errors:
            form.is_valid()
            apply_domain_error(form, exc)
            return _queue_page(request, membership, pk, form, status=400)
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("rewards:queue")


def _settings_initial(membership: Membership) -> dict[str, Any]:
    row = selectors.reward_settings(membership=membership)
    return {
        "monthly_budget": row.monthly_budget,
        "first_needs_approval": row.first_needs_approval,
        "of_value": row.of_value,
        "disclosure": row.disclosure,
    }


@member_view
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The catalogue to edit, and the organization's settings (budget, approval, value)."""
    require(membership, "rewards.manage")
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_update(
                    actor=membership, data=services.SettingsData(**form.cleaned_data)
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("rewards:manage")
        status = 400
    else:
        form = SettingsForm(initial=_settings_initial(membership))
    context = {"form": form, "rewards": selectors.rewards_to_edit(membership=membership)}
    return render(request, "rewards/manage.html", context, status=status)


@member_view
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "rewards.manage")
    return _reward_form(request, membership, None)


@member_view
@require_http_methods(["GET", "POST"])
def reward_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    return _reward_form(request, membership, pk)


def _reward_form(request: HttpRequest, membership: Membership, pk: int | None) -> HttpResponse:
    reward = selectors.reward_to_edit(membership=membership, pk=pk) if pk else None
    teams = selectors.teams(membership=membership)
    status = 200
    if request.method == "POST":
        form = RewardForm(request.POST, teams=teams)
        if form.is_valid():
            try:
                services.reward_save(
                    actor=membership, data=services.RewardData(**form.cleaned_data), pk=pk
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("rewards:manage")
        status = 400
    elif reward is not None:
        form = RewardForm(
            teams=teams,
            initial={
                "kind": reward.kind,
                "title": reward.title,
                "description": reward.description,
                "cost": reward.cost,
                "stock": reward.stock,
                "team_ids": selectors.reward_team_ids(reward),
                "active": reward.active,
            },
        )
    else:
        form = RewardForm(teams=teams)
    return render(
        request, "rewards/reward_form.html", {"form": form, "reward": reward}, status=status
    )
