"""Web pages of sharing: the share page of an item on a network, the ambassador's shares,
the organization's shares, the tracking settings, and the public conversion pixel.

Views parse, authorize, call one service or selector, and render.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.models import Membership, Organization
from portevoix.accounts.permissions import can, require
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import LIMITS, Network
from portevoix.core.web import apply_domain_error, current_membership, member_view, safe_next

from . import intents, selectors, services, utm
from .forms import ShareForm, TrackingForm
from .models import ShareState

logger = logging.getLogger("portevoix.sharing")

SHARES_PER_PAGE = 20
MAX_CHECK_CHARS = 100_000

# A transparent 1x1 GIF.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
CLICK_COOKIE = "pv_click"


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, target, default) or default


# --- The share page


def _render_share(
    request: HttpRequest,
    membership: Membership,
    item_id: int,
    network: str,
    *,
    form: ShareForm | None = None,
    blockers: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    prep = services.share_prepare(membership=membership, item_id=item_id, network=network)
    first_text = prep.variants[0][1] if prep.variants else prep.short_url
    form = form or ShareForm(initial={"text": first_text})
    return render(
        request,
        "sharing/share.html",
        {
            "prep": prep,
            "item": prep.item,
            "network": network,
            "network_label": Network.LABELS[network],
            "limit": LIMITS[network],
            "form": form,
            "initial_text": first_text,
            "blockers": blockers if blockers is not None else prep.blockers,
            "recent": selectors.recent_shares_of(
                membership=membership, item_id=item_id, network=network
            ),
            "opened": ShareState.OPENED,
        },
        status=status,
    )


@member_view
def share(request: HttpRequest, membership: Membership, item_id: int, network: str) -> HttpResponse:
    """GET: choose or write the text. POST: record the share and go to the network's share
    page (a 302 to the intent URL that we computed; nothing from the request is echoed)."""
    if network not in Network.ALL:
        raise Http404("Unknown network")
    if request.method not in {"GET", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    if not can(membership, "share.create"):
        return render(request, "sharing/not_ambassador.html", status=403)
    if request.method == "GET":
        return _render_share(request, membership, item_id, network)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _render_share(request, membership, item_id, network, form=form, status=400)
    text = form.cleaned_data["text"] if "text" in request.POST else None
    try:
        start = services.share_open(
            membership=membership,
            item_id=item_id,
            network=network,
            text=text,
            variant_id=form.cleaned_data["variant"],
        )
    except services.SharingBlocked as exc:
        return _render_share(
            request, membership, item_id, network, form=form, blockers=exc.blockers, status=403
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        if "instance" in exc.field_errors:
            # Mastodon without an instance: the page explains and links to the profile.
            return redirect("sharing:share", item_id=item_id, network=network)
        apply_domain_error(form, exc)
        return _render_share(request, membership, item_id, network, form=form, status=exc.status)
    return HttpResponseRedirect(start.intent_url)


@require_POST
def share_check(request: HttpRequest) -> JsonResponse:
    """Length of the ambassador's text on a network, as it will be posted (with the
    tracked link in place), for the live counter of the share page."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in first.")}, status=401)
    membership = current_membership(request)
    if not can(membership, "share.create"):
        return JsonResponse({"error": _("Not allowed.")}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("Send a JSON object.")}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": _("Send a JSON object.")}, status=400)
    network = payload.get("network")
    text = payload.get("text", "")
    item_id = payload.get("item_id")
    if network not in Network.ALL:
        return JsonResponse({"error": _("Unknown network.")}, status=400)
    if not isinstance(text, str) or len(text) > MAX_CHECK_CHARS:
        return JsonResponse({"error": _("The text is not valid.")}, status=400)
    if not isinstance(item_id, int) or isinstance(item_id, bool) or not 0 < item_id < 2**63:
        return JsonResponse({"error": _("Unknown item.")}, status=400)
    assert membership is not None  # can() is False without a membership
    try:
        item = selectors.live_item(membership=membership, item_id=item_id)
    except (Http404, NotFound):
        return JsonResponse({"error": _("Unknown item.")}, status=404)
    link = selectors.existing_link(membership=membership, item_id=item.pk, network=network)
    if link is not None and text.strip():
        short = selectors.short_url(link.code)
        full = intents.compose_text(text, item_link=item.link, short_url=short)
        text = intents.posted_text(network, full, short)
    result, errors = services.copy_report(network, text.strip())
    return JsonResponse(
        {
            "network": network,
            "length": result.length,
            "limit": result.limit,
            "remaining": result.remaining,
            "ok": result.ok,
            "errors": errors,
        }
    )


# --- Shares lists


@member_view
def my_shares(request: HttpRequest, membership: Membership) -> HttpResponse:
    shares = selectors.my_shares(membership=membership)
    page = Paginator(shares, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sharing/my_shares.html",
        {
            "page": page,
            "shares": list(page),
            "opened": ShareState.OPENED,
            "can_view_all": can(membership, "share.view_all"),
            "can_share": can(membership, "share.create"),
            "can_manage_tracking": can(membership, "tracking.manage"),
        },
    )


@member_view
def org_shares(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "share.view_all")
    raw = request.GET.get("member", "")
    member_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
    shares = selectors.org_shares(membership=membership, member_id=member_id)
    page = Paginator(shares, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    people = account_selectors.members(membership=membership, ambassadors_only=True)
    return render(
        request,
        "sharing/org_shares.html",
        {
            "page": page,
            "shares": list(page),
            "people": list(people),
            "member_id": member_id,
            "can_remove": can(membership, "share.remove"),
        },
    )


@member_view
def share_confirm(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.my_share(membership=membership, pk=pk)  # 404 before 405 for others' shares
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.share_confirm(membership=membership, share_id=pk)
    messages.success(request, _("Thank you! Your share is confirmed."))
    return redirect(_next(request, reverse("sharing:my_shares")))


@member_view
def share_remove(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    require(membership, "share.remove")
    selectors.visible_share(membership=membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.share_remove(share_id=pk, actor=membership)
    messages.success(request, _("The share is marked as removed."))
    return redirect(_next(request, reverse("sharing:org_shares")))


# --- Tracking settings


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


# --- The conversion pixel (public)


def _pixel_response() -> HttpResponse:
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store, max-age=0"
    response["Content-Length"] = str(len(PIXEL_GIF))
    return response


@csrf_exempt
def pixel(request: HttpRequest) -> HttpResponse:
    """GET /c/pixel.gif?org=<slug>&click=<click id>&id=<conversion id>&kind=lead&value=..
    &currency=EUR. Always a transparent GIF, whatever happens (the reason of a refusal is
    logged). The click id may come from the `pv_click` cookie of the redirect host. The
    pixel is not signed, so it only records conversions of a known click."""
    if request.method not in {"GET", "HEAD"}:
        return _pixel_response()
    params = request.GET
    slug = params.get("org", "")[:60]
    click_id = params.get("click", "")[:64] or request.COOKIES.get(CLICK_COOKIE, "")[:64]
    try:
        organization = Organization.objects.filter(slug=slug).first() if slug else None
        if organization is None:
            logger.info("pixel_refused reason=unknown_org")
            return _pixel_response()
        services.conversion_record(
            organization=organization,
            external_id=params.get("id", "")[:200],
            kind=params.get("kind", "lead")[:40],
            value=params.get("value", "")[:40],
            currency=params.get("currency", "")[:10],
            click_id=click_id,
            source="pixel",
            require_click=True,
        )
    except DomainError as exc:
        logger.info("pixel_refused reason=%s", ",".join(exc.field_errors) or exc.message)
    except Exception:  # never an error for a pixel: log it, answer the image
        logger.exception("pixel_failed")
    return _pixel_response()


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """/l/<code> when Django itself serves the request (development server, test server).

    In production the WSGI dispatcher of `config/wsgi.py` answers /l/ before Django is
    reached; this view runs the very same redirector, so behaviour is identical."""
    from .redirect.app import default_redirector

    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, headers

    environ = {**request.META, "PATH_INFO": f"/l/{code}"}
    body = b"".join(default_redirector()(environ, start_response))
    response = HttpResponse(body, status=int(seen["status"].split()[0]))
    for name, value in seen["headers"]:
        if name.lower() != "content-length":
            response[name] = value
    return response
