"""Share of voice (`listening.view`) and benchmarks (`listening.view` to read,
`listening.manage` to add, change or remove an account). Thin: selectors read, services
write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors_benchmarks, selectors_voice, services_benchmarks
from .forms_voice import BenchmarkEditForm, BenchmarkForm
from .selectors_voice import SENTIMENTS

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@never_cache
@member_view
@require_http_methods(["GET"])
def voice(request: HttpRequest, membership: Membership) -> HttpResponse:
    days = request.GET.get("days", "30")
    unit = request.GET.get("unit", "day")
    figures = selectors_voice.share_of_voice(
        membership=membership, days=int(days) if days.isdigit() else 30, unit=unit
    )
    context = {
        "voice": figures,
        "periods": selectors_voice.PERIODS,
        "sentiments": SENTIMENTS,
        "colours": range(8),
    }
    return render(request, "listening/voice.html", context)


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def benchmarks(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors_benchmarks.benchmark_rows(membership=membership)  # listening.view
    manage = can(membership, "listening.manage")
    form = BenchmarkForm(initial={"active": True, "kind": "bluesky"})
    if request.method == "POST":
        require(membership, "listening.manage")
        form = BenchmarkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_benchmarks.benchmark_create(
                    actor=membership,
                    data=services_benchmarks.BenchmarkData(
                        kind=data["kind"],
                        handle=data["handle"],
                        label=data["label"],
                        own=bool(data["own"]),
                        active=bool(data["active"]),
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The account is added: its first snapshot comes within the hour.")
                )
                return redirect("listening:benchmarks")
    context = {
        "rows": rows,
        "ambassadors": selectors_benchmarks.ambassadors(membership=membership),
        "form": form,
        "manage": manage,
    }
    return render(request, "listening/benchmarks.html", context)


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def benchmark_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    account = selectors_benchmarks.account_of(membership=membership, pk=pk)  # 404 / 403
    if request.method == "POST":
        form = BenchmarkEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services_benchmarks.benchmark_update(
                actor=membership,
                account=account,
                data=services_benchmarks.BenchmarkData(
                    kind=account.kind,
                    handle=account.handle,
                    label=data["label"],
                    own=bool(data["own"]),
                    active=bool(data["active"]),
                ),
            )
            messages.success(request, _("The account is saved."))
            return redirect("listening:benchmarks")
    else:
        form = BenchmarkEditForm(
            initial={"label": account.label, "own": account.own, "active": account.active}
        )
    return render(request, "listening/benchmark.html", {"account": account, "form": form})


@member_view
def benchmark_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    account = selectors_benchmarks.account_of(membership=membership, pk=pk)  # 404 / 403
    if refused := post_only(request):
        return refused
    services_benchmarks.benchmark_delete(actor=membership, account=account)
    messages.success(request, _("The account and its history are removed."))
    return redirect("listening:benchmarks")
