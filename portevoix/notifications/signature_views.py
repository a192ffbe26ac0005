"""Email signature pages: the ambassador's own signature, the admins' settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp.decorators import csp_update
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from . import signatures
from .chat.forms import SignatureSettingsForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# The preview shows the signature as mail clients will: its inline styles (our template's
# only; every text in it is escaped) and the banner from the organization's https site.
@csp_update({"style-src-attr": ["'unsafe-inline'"], "img-src": ["https:"]})
@member_view
@require_http_methods(["GET"])
def signature(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "notifications/signature.html",
        {"signature": signatures.member_signature(membership=membership)},
    )


@member_view
@require_http_methods(["GET", "POST"])
def signature_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    current = signatures.signature_settings_edit(membership=membership)  # org.manage
    items = signatures.banner_choices(membership=membership)
    if request.method == "POST":
        form = SignatureSettingsForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                signatures.signature_settings_update(
                    actor=membership,
                    data=signatures.SignatureData(
                        urls={name: data[name] or "" for name in signatures.URL_FIELDS},
                        banner_alt=data["banner_alt"] or "",
                        banner_item_id=data["banner_item"],
                    ),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The signature settings are saved."))
                return redirect("notifications:signature_settings")
    else:
        form = SignatureSettingsForm(
            initial={
                **{name: getattr(current, name) for name in signatures.URL_FIELDS},
                "banner_alt": current.banner_alt,
                "banner_item": current.banner_item_id,
            },
            items=items,
        )
    return render(request, "notifications/signature_settings.html", {"form": form})
