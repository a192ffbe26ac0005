"""The organization's data page (administrators): its archive, and its deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portevoix.core.errors import DomainError
from portevoix.core.web import member_view

from . import organization, selectors, services
from .models import ExportState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _page(request: HttpRequest, membership: Membership, **extra: object) -> HttpResponse:
    context = {
        "exports": selectors.organization_exports(membership=membership),
        "states": ExportState,
        "days": services.export_days(),
        "can_delete": selectors.can_delete_organization(membership=membership),
        **extra,
    }
    response = render(request, "privacy/organization_data.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@member_view
@require_GET
def organization_data(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership)


@member_view
@require_POST
def organization_export_request(request: HttpRequest, membership: Membership) -> HttpResponse:
    export = organization.org_export_request(actor=membership)
    if export.state == ExportState.PENDING:
        messages.success(
            request,
            _("The archive is being prepared. Reload this page in a moment to download it."),
        )
    return redirect("privacy:organization_data")


@member_view
@require_GET
def organization_export_download(
    request: HttpRequest, membership: Membership, pk: UUID
) -> FileResponse:
    export = organization.org_export_download(actor=membership, export_id=str(pk))
    response = FileResponse(
        services.private_storage().open(export.file_name, "rb"),
        as_attachment=True,
        filename=f"portevoix-organization-{export.ready_at:%Y%m%d}.zip"
        if export.ready_at
        else "portevoix-organization.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@member_view
@require_http_methods(["POST"])
def organization_delete(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        organization.org_delete_request(
            actor=membership, confirm_name=request.POST.get("confirm_name", "")
        )
    except DomainError as exc:
        response = _page(
            request, membership, delete_errors=exc.field_errors, delete_error=exc.message
        )
        response.status_code = 400
        return response
    name = membership.organization.name
    messages.success(
        request,
        _("%(org)s is being deleted, with everything it held. Nobody can open it any more.")
        % {"org": name},
    )
    return redirect(settings.ORGANIZATION_CHOOSER_URL)
