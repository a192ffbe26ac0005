"""Pages of the emails: the digest preview, the one-click unsubscribe (no login), the
email links that resolve to the member's own tracked link, the bounce webhook, the
administrators' list of failed and suppressed deliveries, and the member's email choices."""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portevoix.accounts import selectors as account_selectors
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view, post_only
from portevoix.sharing import services as sharing_services

from .. import selectors as notification_selectors
from ..forms import PolicyForm
from ..models_mail import DeliveryKind, EmailList
from . import schedule, selectors, services, tokens
from .forms import DigestScheduleForm, EmailPreferencesForm
from .rendering import Renderer

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_HOOK_BYTES = 64 * 1024
LANGUAGES = {"fr", "en"}


# The email's HTML carries its styles in `style` attributes (mail clients ignore style
# sheets): this page allows style attributes, never inline <style> or scripts. Every value in
# them is ours; the member's and the content's text is escaped.
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
@member_view
@require_http_methods(["GET"])
def preview(request: HttpRequest, membership: Membership) -> HttpResponse:
    member_id = request.GET.get("member")
    recipient, member = selectors.preview_recipient(
        viewer=membership, member_id=int(member_id) if member_id and member_id.isdigit() else None
    )
    rendered = None
    if recipient is not None:
        language = request.GET.get("language")
        if language in LANGUAGES:
            recipient.language = language
        name, _language = account_selectors.organization_mail_facts(member.organization_id)
        renderer = Renderer(organization_id=member.organization_id, organization_name=name)
        rendered = renderer.render(recipient, kind=DeliveryKind.DIGEST, list_name=EmailList.DIGEST)
    return render(
        request,
        "notifications/mail/preview.html",
        {
            "rendered": rendered,
            "recipient": recipient,
            "member": member,
            "choice": selectors.choices_for(membership_id=member.pk).digest,
        },
    )


@never_cache
@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page that asks to confirm (changes nothing: link scanners open links). POST:
    the one-click unsubscribe (from the mail client, or the page's button)."""
    found = tokens.unsubscribe_read(token)
    if found is None or found.email_list not in EmailList.values:
        return render(request, "notifications/mail/unsubscribe.html", {"invalid": True}, status=404)
    context = {"list_label": EmailList(found.email_list).label, "done": False}
    if request.method == "POST":
        services.email_unsubscribe(
            membership_id=found.membership_id,
            organization_id=found.organization_id,
            email_list=found.email_list,
        )
        context["done"] = True
    return render(request, "notifications/mail/unsubscribe.html", context)


def _link(request: HttpRequest, organization_id: int, token: str, kind: int) -> HttpResponse:
    ref = tokens.link_read(organization_id, token)
    if ref is None or ref.kind != kind:
        raise Http404
    try:
        member = account_selectors.active_member(
            organization_id=organization_id, pk=ref.membership_id
        )
        found = sharing_services.share_link_for_mail(
            membership=member, item_id=ref.item_id, network=ref.network
        )
    except (NotFound, PermissionDenied, DjangoPermissionDenied) as exc:
        raise Http404 from exc
    if kind == tokens.KIND_GO:
        return redirect(found.short_url)
    if not found.intent_url:
        return redirect(reverse("sharing:share", args=[ref.item_id, ref.network]))
    return redirect(found.intent_url)


@never_cache
@require_http_methods(["GET"])
def share_link(request: HttpRequest, organization_id: int, token: str) -> HttpResponse:
    """A share button of an email: the network's share page with the member's own tracked
    link (created on this first click)."""
    return _link(request, organization_id, token, tokens.KIND_SHARE)


@never_cache
@require_http_methods(["GET"])
def go_link(request: HttpRequest, organization_id: int, token: str) -> HttpResponse:
    """The link in a ready-to-copy post: the member's own tracked link (then the item)."""
    return _link(request, organization_id, token, tokens.KIND_GO)


@csrf_exempt  # a machine posts here, authenticated by the shared secret
@require_http_methods(["POST"])
def bounce_hook(request: HttpRequest) -> HttpResponse:
    """POST /hooks/email/bounce with `Authorization: Bearer <EMAIL_BOUNCE_SECRET>` and a JSON
    body {"email": "..."} or {"emails": [...]}, optional "reason" ("bounce", "complaint")."""
    secret = settings.EMAIL_BOUNCE_SECRET
    if not secret:
        return JsonResponse({"error": "not configured"}, status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
        return JsonResponse({"error": "forbidden"}, status=403)
    if len(request.body) > MAX_HOOK_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "invalid JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "invalid JSON"}, status=400)
    emails = body.get("emails") or ([body["email"]] if body.get("email") else [])
    if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
        return JsonResponse({"error": "give email or emails"}, status=400)
    reason = str(body.get("reason") or "bounce")
    added = sum(services.email_suppress(email=e, reason=reason) for e in emails[:1000])
    return JsonResponse({"suppressed": len(emails[:1000]), "new": added})


@member_view
@require_http_methods(["GET"])
def deliveries(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.deliveries_needing_attention(membership=membership)
    return render(request, "notifications/mail/deliveries.html", {"rows": rows})


@member_view
def email_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    if refused := post_only(request):
        return refused
    form = EmailPreferencesForm(request.POST)
    if form.is_valid():
        services.email_preferences_update(
            membership=membership,
            digest=form.cleaned_data["digest"],
            important=bool(form.cleaned_data["important"]),
        )
        messages.success(request, _("Your email settings are saved."))
    else:
        messages.error(request, _("Your email settings have errors."))
    return redirect("notifications:settings")


def digest_schedule_form(membership: Membership) -> DigestScheduleForm:
    """The form of the organization's digest day, hour and time zone (administrators)."""
    current = schedule.digest_schedule_of(membership=membership)
    return DigestScheduleForm(
        initial={"weekday": current.weekday, "hour": current.hour, "time_zone": current.time_zone}
    )


@member_view
def digest_schedule(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Set when the organization's digests start (the notification policy page's second
    form); an invalid form comes back on that page with its errors."""
    if refused := post_only(request):
        return refused
    current_pushes = notification_selectors.policy_max_pushes(membership=membership)
    form = DigestScheduleForm(request.POST)
    if form.is_valid():
        try:
            schedule.digest_schedule_set(
                membership=membership,
                weekday=form.cleaned_data["weekday"],
                hour=form.cleaned_data["hour"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The digest schedule is saved."))
            return redirect("notifications:policy")
    policy_form = PolicyForm(initial={"max_pushes_per_day": current_pushes})
    return render(
        request,
        "notifications/policy.html",
        {"form": policy_form, "digest_form": form},
        status=400,
    )
