"""The share page of an item on a network, and its live character counter."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
from django.views.decorators.http import require_POST

from portevoix.accounts.permissions import can
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import LIMITS, Network
from portevoix.core.web import apply_domain_error, current_membership, member_view, post_only

from .. import selectors, services
from ..forms import ShareForm
from ..models import ShareState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_CHECK_CHARS = 100_000


# Networks that show a shared link as a card (the page's title and site) under the text;
# the others show the link in the text, shortened.
CARD_NETWORKS = frozenset({Network.LINKEDIN, Network.FACEBOOK, Network.BLUESKY, Network.THREADS})


def _preview(membership: Membership, item: Any, network: str, short_url: str) -> dict[str, Any]:
    """What the share page's mock post shows: who posts (name and initials), and the link
    card (site and title) on networks that show one."""
    name = membership.user.display_name
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    site = urlsplit(item.link or short_url).hostname or ""
    return {
        "name": name,
        "initials": initials,
        "card": network in CARD_NETWORKS,
        "site": site.removeprefix("www."),
        "title": item.title,
    }


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
            "preview": _preview(membership, prep.item, network, prep.short_url),
            # The charter's link brings the ambassador back to this share once accepted.
            "blockers": [
                b.with_next(request.get_full_path())
                for b in (blockers if blockers is not None else prep.blockers)
            ],
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
    tracked link in place), and the organization's guardrails it runs into ("block" hits
    refuse the share, "warn" hits only warn), for the live checks of the share page."""
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
        result = selectors.share_text_check(
            membership=membership, item_id=item_id, network=network, text=text
        )
    except (Http404, NotFound):
        return JsonResponse({"error": _("Unknown item.")}, status=404)
    return JsonResponse(
        {
            "network": result.network,
            "length": result.length,
            "limit": result.limit,
            "remaining": result.remaining,
            "ok": result.ok,
            "errors": result.errors,
            "fits": result.fits,
            "blocked": result.blocked,
            "guardrails": [
                {"action": hit.action, "kind": hit.kind, "term": hit.term, "message": hit.message}
                for hit in result.guardrails
            ],
            # A near-copy of many colleagues' recent posts (sharing/variety.py): a warning.
            "variety": {"colleagues": result.variety.colleagues, "message": result.variety.message}
            if result.variety
            else None,
        }
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@member_view
def share_copy(
    request: HttpRequest, membership: Membership, item_id: int, network: str
) -> HttpResponse:
    """POST: the text to copy for `network`, with the ambassador's tracked link in it (the
    link is created on the first copy), as JSON for the feed's copy buttons. Without
    JavaScript (a plain form post), a 303 to the share page, which shows the same text."""
    if (refused := post_only(request)) is not None:
        return refused
    if network not in Network.ALL:
        raise Http404("Unknown network")
    if not can(membership, "share.create"):
        if _wants_json(request):
            return JsonResponse({"error": _("Not allowed.")}, status=403)
        return render(request, "sharing/not_ambassador.html", status=403)
    raw_copy = request.POST.get("copy", "")
    copy_id = (
        int(raw_copy) if raw_copy.isascii() and raw_copy.isdigit() and len(raw_copy) < 19 else None
    )
    copied = services.share_copy_text(
        membership=membership, item_id=item_id, network=network, copy_id=copy_id
    )
    if not _wants_json(request):
        see_other = HttpResponseRedirect(reverse("sharing:share", args=[item_id, network]))
        see_other.status_code = 303
        return see_other
    return JsonResponse(
        {
            "network": copied.network,
            "text": copied.text,
            "short_url": copied.short_url,
            "prefills_text": copied.prefills_text,
        }
    )
