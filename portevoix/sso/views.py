"""Single sign-on pages: the admins' settings page, the login's start, the OpenID Connect
callback, and SAML's metadata (public: it is for the IdP) and assertion consumer service."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portevoix.accounts import services as account_services
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

from . import selectors, services
from .forms import ProviderForm, StartForm
from .models import Protocol

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

    from .models import IdentityProvider

FLOW_SESSION_KEY = "portevoix_sso_flow"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _initial(provider: IdentityProvider | None) -> dict[str, object]:
    if provider is None:
        return {"enabled": True, "claim_name": "name", "claim_title": "job_title"} | {
            "claim_groups": "groups",
            "protocol": Protocol.OIDC,
            "claim_email": "email",
        }
    return {
        "protocol": provider.protocol,
        "allow_idp_initiated": provider.saml_allow_idp_initiated,
        "claim_email": provider.claim_email,
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
        form = ProviderForm(request.POST, request.FILES, editing=provider is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.provider_save(
                    actor=membership,
                    data=services.ProviderData(
                        protocol=data["protocol"],
                        idp_metadata=form.metadata_text(),
                        allow_idp_initiated=data["allow_idp_initiated"],
                        claim_email=data["claim_email"] or "",
                        issuer=data["issuer"] or "",
                        client_id=data["client_id"] or "",
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
        "saml_sp": selectors.saml_sp_urls(provider) if provider else None,
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


@member_view
@require_GET
def saml_sp_metadata_download(
    request: HttpRequest, membership: Membership, pk: int
) -> HttpResponse:
    """Our SP metadata as a file, for the admin to upload to the IdP (404 for another
    organization's provider)."""
    provider = selectors.provider_of(membership=membership, pk=pk)
    if selectors.saml_sp_urls(provider) is None:
        raise Http404
    response = _metadata_response(provider)
    response["Content-Disposition"] = 'attachment; filename="portevoix-saml-metadata.xml"'
    return response


def _metadata_response(provider: IdentityProvider) -> HttpResponse:
    if not provider.saml_sp_cert:
        raise Http404
    xml = selectors.saml_sp_metadata(provider)
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


@require_GET
def saml_metadata(request: HttpRequest, key: str) -> HttpResponse:
    """Our SP metadata for an organization (public: the IdP reads it); our entity ID."""
    provider = selectors.saml_provider_by_key(key)
    if provider is None:
        raise Http404
    return _metadata_response(provider)


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
    if started.flow is not None:
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


@csrf_exempt  # the IdP's page posts here cross-site; the Response's signature is the proof
@never_cache
@require_POST
def saml_acs(request: HttpRequest, key: str) -> HttpResponse:
    """SAML's assertion consumer service: the Response is checked, then the person is
    logged in (once per Response)."""
    try:
        signed_in = services.saml_sign_in_finish(
            key=key,
            saml_response=request.POST.get("SAMLResponse", ""),
            relay_state=request.POST.get("RelayState", ""),
        )
    except DomainError as exc:
        return _back_to_login(request, exc.message)
    membership = signed_in.membership
    login(request, membership.user, backend=BACKEND)
    account_services.organization_remember(request.session, membership.organization_id)
    return redirect(safe_next(request, signed_in.next_url) or "home")
