"""Outgoing webhooks pages, for the organization's admins: the endpoints (add one), an
endpoint (change it, its delivery log, rotate its secret, send a test event, remove it).
A signing secret is shown once, in the answer to the POST that made it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import delivery, selectors, services
from .forms import EndpointForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import WebhookEndpoint


def _data(form: EndpointForm) -> services.EndpointData:
    data = form.cleaned_data
    return services.EndpointData(
        url=data["url"],
        event_types=list(data["event_types"]),
        description=data["description"] or "",
        enabled=bool(data["enabled"]),
    )


def _secret_page(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> HttpResponse:
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.endpoints_page(membership=membership)  # webhooks.manage, or 403
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = services.endpoint_create(actor=membership, data=_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return _secret_page(request, endpoint, secret)
    else:
        form = EndpointForm(initial={"enabled": True})
    return render(request, "webhooks/endpoints.html", {"endpoints": rows, "form": form})


@never_cache
@member_view
@require_http_methods(["GET", "POST"])
def endpoint_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_of(membership=membership, pk=pk)  # 404 / 403
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(actor=membership, endpoint=endpoint, data=_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The endpoint is saved."))
                return redirect("webhooks:endpoint", pk=endpoint.pk)
    else:
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "enabled": endpoint.enabled,
            }
        )
    context = {
        "endpoint": endpoint,
        "form": form,
        "deliveries": selectors.delivery_log(endpoint=endpoint),
        "auto_disable_after": delivery.AUTO_DISABLE_AFTER,
    }
    return render(request, "webhooks/endpoint.html", context)


@never_cache
@member_view
def endpoint_rotate(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    secret = services.secret_rotate(actor=membership, endpoint=endpoint)
    return _secret_page(request, endpoint, secret)


@member_view
def endpoint_test(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    services.test_event_send(actor=membership, endpoint=endpoint)
    messages.success(request, _("A test event was sent: its result is in the log below."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@member_view
def endpoint_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    services.endpoint_delete(actor=membership, endpoint=endpoint)
    messages.success(request, _("The endpoint is removed."))
    return redirect("webhooks:endpoints")
