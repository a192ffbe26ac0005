"""The "My data" pages: the summary and the archive (each person their own), and the
processing register for the organization's administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portevoix.core.web import member_view

from . import register, selectors, services
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
