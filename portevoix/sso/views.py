"""Single sign-on pages: the admins' settings page, and the login's start and callback."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portevoix.accounts import services as account_services
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

from . import selectors, services
from .forms import ProviderForm, StartForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import IdentityProvider

FLOW_SESSION_KEY = "portevoix_sso_flow"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _initial(provider: IdentityProvider | None) -> dict[str, object]:
    if provider is None:
        return {"enabled": True, "claim_name": "name", "claim_title": "job_title"} | {
            "claim_groups": "groups"
        }
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "domains": "\n".join(selectors.domains_of(provider)),
        "enabled": provider.enabled,
        "enforced": provider.enforced,
        "break_glass_email": provider.break_glass_email,
        "claim_name": provider.claim_name,
        "claim_title": provider.claim_title,
        "claim_groups": provider.claim_groups,
    }


@member_view
@require_http_methods(["GET", "POST"])
def provider_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = selectors.provider_page(membership=membership)  # sso.manage, or 403
    if request.method == "POST":
        form = ProviderForm(request.POST, editing=provider is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.provider_save(
                    actor=membership,
                    data=services.ProviderData(
                        issuer=data["issuer"],
                        client_id=data["client_id"],
                        client_secret=data["client_secret"] or "",
                        domains=form.domain_list(),
                        enabled=data["enabled"],
                        enforced=data["enforced"],
                        break_glass_email=data["break_glass_email"] or "",
                        claim_name=data["claim_name"] or "",
                        claim_title=data["claim_title"] or "",
                        claim_groups=data["claim_groups"] or "",
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The single sign-on settings are saved."))
                return redirect("sso:settings")
    else:
        form = ProviderForm(initial=_initial(provider), editing=provider is not None)
    context = {
        "form": form,
        "provider": provider,
        "callback_url": request.build_absolute_uri(reverse("sso:callback")),
    }
    return render(request, "sso/settings.html", context)


@member_view
def provider_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    provider = selectors.provider_of(membership=membership, pk=pk)  # 404 for another org
    if refused := post_only(request):
        return refused
    services.provider_delete(actor=membership, provider=provider)
    messages.success(request, _("Single sign-on is removed: everyone logs in with a password."))
    return redirect("sso:settings")


def _back_to_login(request: HttpRequest, message: str, next_url: str = "") -> HttpResponseRedirect:
    messages.error(request, message)
    url = reverse("accounts:login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return redirect(url)


@never_cache
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """ "Continue with single sign-on": to the provider of the address's organization."""
    form = StartForm(request.POST)
    next_url = safe_next(request, request.POST.get("next")) or ""
    if not form.is_valid():
        return _back_to_login(request, _("Enter your work email address."), next_url)
    try:
        started = services.sign_in_start(
            email=form.cleaned_data["email"],
            redirect_uri=request.build_absolute_uri(reverse("sso:callback")),
            next_url=next_url,
        )
    except DomainError as exc:
        return _back_to_login(request, exc.message, next_url)
    request.session[FLOW_SESSION_KEY] = started.flow
    return redirect(started.url)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: checked, then the person is logged in (once per start)."""
    flow = request.session.pop(FLOW_SESSION_KEY, None)
    try:
        membership = services.sign_in_finish(
            flow=flow,
            params={key: request.GET.get(key, "") for key in ("state", "code", "error")},
            redirect_uri=request.build_absolute_uri(reverse("sso:callback")),
        )
    except DomainError as exc:
        return _back_to_login(request, exc.message)
    login(request, membership.user, backend=BACKEND)
    account_services.organization_remember(request.session, membership.organization_id)
    next_url = str((flow or {}).get("next") or "")
    return redirect(safe_next(request, next_url) or "home")
