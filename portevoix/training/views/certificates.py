"""Certificates: the public verification page, the holder's printable page, revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import RevokeForm, VerifyForm
from ..public_ids import is_well_formed, normalize_public_id
from .common import confirm_page

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@require_http_methods(["GET"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Public: type a certificate number, get its page."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        public_id = normalize_public_id(form.cleaned_data["id"])
        if public_id and not is_well_formed(public_id):
            # A malformed number (`a/b`) is no certificate: the same 404 as an unknown one.
            raise Http404("Not found")
        if public_id:
            return redirect("training:certificate_verify", public_id=public_id)
    return render(request, "training/certificate_lookup.html", {"form": form})


@require_http_methods(["GET"])
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """Public, no login: whether the certificate exists, for whom, and whether it is valid.
    An unknown number is a 404."""
    certificate = selectors.certificate_public(public_id=public_id)
    response = render(request, "training/certificate_verify.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response


@member_view
@require_http_methods(["GET"])
def certificate_print(request: HttpRequest, membership: Membership, public_id: str) -> HttpResponse:
    """The printable certificate, for its holder only."""
    certificate = selectors.certificate_of_holder(membership=membership, public_id=public_id)
    verify_url = request.build_absolute_uri(
        reverse("training:certificate_verify", args=[certificate.public_id])
    )
    return render(
        request,
        "training/certificate_print.html",
        {"certificate": certificate, "verify_url": verify_url},
    )


@member_view
@require_http_methods(["GET", "POST"])
def certificate_revoke(
    request: HttpRequest, membership: Membership, public_id: str
) -> HttpResponse:
    certificate = selectors.certificate_in_org(membership=membership, public_id=public_id)
    require(membership, "training.manage", certificate)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    cancel_url = reverse("training:report_course", args=[certificate.course.group_id])
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                actor=membership, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(
                request, _("Certificate %(id)s revoked.") % {"id": certificate.public_id}
            )
            return redirect(cancel_url)
    return confirm_page(
        request,
        title=_("Revoke a certificate"),
        question=_("Revoke certificate %(id)s of %(name)s (%(course)s)?")
        % {
            "id": certificate.public_id,
            "name": certificate.holder_name,
            "course": certificate.course_title,
        },
        detail=_("The public page will say it is revoked. The person may pass the course again."),
        action_label=_("Revoke"),
        cancel_url=cancel_url,
        form=form,
        status=400 if form.errors else 200,
    )
