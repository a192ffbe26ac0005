"""The "My data" pages: the summary and the archive (each person their own), and the
processing register for the organization's administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portevoix.core.errors import Conflict
from portevoix.core.web import member_view

from . import erasure, register, selectors, services
from .forms import ErasureDelayForm
from .models import ExportState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    response["Cache-Control"] = "private, no-store"
    return response


@member_view
@require_GET
def my_data(request: HttpRequest, membership: Membership) -> HttpResponse:
    context = {
        "lines": selectors.summary(membership=membership),
        "export": selectors.latest_export(membership=membership),
        "states": ExportState,
        "days": services.export_days(),
    }
    return _private(render(request, "privacy/my_data.html", context))


@member_view
@require_POST
def archive_request(request: HttpRequest, membership: Membership) -> HttpResponse:
    export = services.export_request(membership=membership)
    if export.state == ExportState.READY:
        messages.info(request, _("Your archive is ready: download it below."))
    else:
        messages.success(
            request,
            _("Your archive is being prepared. Reload this page in a moment to download it."),
        )
    return redirect("privacy:my_data")


@member_view
@require_GET
def archive_download(request: HttpRequest, membership: Membership, pk: UUID) -> FileResponse:
    export = services.export_download(membership=membership, export_id=str(pk))
    response = FileResponse(
        services.private_storage().open(export.file_name, "rb"),
        as_attachment=True,
        filename="portevoix-my-data.zip",
        content_type="application/zip",
    )
    return _private(response)


@member_view
@require_GET
def processing_register(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = selectors.register_rows(membership=membership)  # org.manage, or 403
    return render(request, "privacy/register.html", {"rows": rows, "headers": register.HEADERS})


@member_view
@require_GET
def processing_register_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    selectors.register_rows(membership=membership)  # org.manage, or 403
    response = HttpResponse(register.csv_file(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="processing-register.csv"'
    return response


@member_view
@require_http_methods(["GET", "POST"])
def erase_own(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The person erases their own data in this organization (a confirmation first)."""
    if request.method == "POST":
        try:
            erasure.erase_own(membership=membership)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("privacy:my_data")
        logout(request)
        messages.success(
            request,
            _("Your data in this organization was erased and you were logged out."),
        )
        return redirect(settings.LOGIN_URL)
    context = {
        "title": _("Erase my data"),
        "question": _("Erase everything Portevoix holds about you in %(org)s?")
        % {"org": membership.organization.name},
        "detail": _(
            "You leave the organization at once and lose access to it. Your name, email, "
            "job title, texts (ideas, comments, share and post texts, answers to surveys "
            "that were not anonymous), tokens, devices, consents and connected accounts are "
            "deleted or replaced by a pseudonym. What you shared stays counted in the "
            "organization's figures, under that pseudonym. If you belong to no other "
            "organization, your login is deleted too. This cannot be undone: download your "
            "archive first if you want a copy."
        ),
        "action_label": _("Erase my data"),
        "cancel_url": reverse("privacy:my_data"),
        "danger": True,
    }
    return _private(render(request, "accounts/confirm.html", context))


@member_view
@require_http_methods(["GET", "POST"])
def erasure_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The administrators' page: the automatic erasure's delay and the people who left."""
    people = selectors.leavers(membership=membership)  # privacy.erase, or 403
    form = ErasureDelayForm(
        request.POST or None,
        initial={"erase_after_days": membership.organization.erase_after_days},
    )
    if request.method == "POST" and form.is_valid():
        erasure.erasure_delay_set(actor=membership, days=form.cleaned_data["erase_after_days"])
        messages.success(request, _("The erasure delay is saved."))
        return redirect("privacy:erasure")
    return _private(render(request, "privacy/erasure.html", {"form": form, "people": people}))


@member_view
@require_http_methods(["GET", "POST"])
def erase_member(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """An administrator erases one person who left (a confirmation first)."""
    person = selectors.leaver(membership=membership, membership_id=pk)  # 403 / 404
    if request.method == "POST":
        try:
            erasure.erase_member(actor=membership, membership_id=pk)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The person's data was erased."))
        return redirect("privacy:erasure")
    context = {
        "title": _("Erase a person's data"),
        "question": _("Erase everything Portevoix holds about %(name)s?") % {"name": person.name},
        "detail": _(
            "Their name, email, job title, texts, tokens, devices, consents and connected "
            "accounts are deleted or replaced by a pseudonym; their shares, links and clicks "
            "stay counted under that pseudonym, so no figure changes. This cannot be undone."
        ),
        "action_label": _("Erase their data"),
        "cancel_url": reverse("privacy:erasure"),
        "danger": True,
    }
    return _private(render(request, "accounts/confirm.html", context))
