"""The organization's link tracking settings and conversion key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services, utm
from ..forms import TrackingForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership, Organization


def _snippets(organization: Organization) -> dict[str, str]:
    base = settings.SITE_URL
    pixel = (
        f'<img src="{base}{reverse("sharing:pixel")}?org={organization.slug}'
        "&amp;click=CLICK_ID&amp;id=CONVERSION_ID&amp;kind=lead&amp;value=0&amp;currency=EUR"
        '" width="1" height="1" alt="" style="position:absolute">'
    )
    body = (
        f'{{"org":"{organization.slug}","click_id":"CLICK_ID","conversion_id":"order-1234",'
        '"kind":"purchase","value":"49.90","currency":"EUR"}'
    )
    curl = (
        "KEY='pvck_…'  # your conversion key\n"
        f"BODY='{body}'\n"
        "TS=$(date +%s)\n"
        'SIG=$(printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$KEY" -r'
        " | cut -d' ' -f1)\n"
        f"curl -X POST {base}/api/v1/conversions \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  -H "X-Portevoix-Timestamp: $TS" -H "X-Portevoix-Signature: $SIG" \\\n'
        '  --data "$BODY"'
    )
    return {"pixel": pixel, "curl": curl, "click_param": utm.CLICK_ID_PARAM}


def _render_tracking(
    request: HttpRequest,
    membership: Membership,
    form: TrackingForm,
    *,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    tracking = selectors.tracking_settings_for(membership.organization_id)
    return render(
        request,
        "sharing/tracking.html",
        {
            "form": form,
            "has_key": bool(tracking.conversion_key_encrypted),
            "new_key": new_key,
            "snippets": _snippets(membership.organization),
        },
        status=status,
    )


@member_view
@never_cache
def tracking_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "tracking.manage")
    tracking = selectors.tracking_settings_for(membership.organization_id)
    if request.method != "POST":
        return _render_tracking(
            request, membership, TrackingForm(initial=TrackingForm.initial_for(tracking))
        )
    form = TrackingForm(request.POST)
    if form.is_valid():
        try:
            services.tracking_settings_update(actor=membership, data=form.to_data())
        except PermissionDenied:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The tracking settings are saved."))
            return redirect("sharing:tracking")
    return _render_tracking(request, membership, form, status=400)


@member_view
@never_cache
def tracking_key(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "tracking.manage")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    key = services.conversion_key_rotate(actor=membership)
    tracking = selectors.tracking_settings_for(membership.organization_id)
    form = TrackingForm(initial=TrackingForm.initial_for(tracking))
    return _render_tracking(request, membership, form, new_key=key)
