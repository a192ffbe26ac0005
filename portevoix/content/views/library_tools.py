"""The library's tools: bulk actions on checked items (with their report), duplicate an
item, a new draft from a template, and the CSV import (dry run, then import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.web import member_view, post_only, safe_next

from .. import selectors
from ..forms_library import BulkForm, CsvUploadForm
from ..services import bulk, csv_import
from ..services import library as library_services

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
def library_bulk(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Apply one action to the checked items and show what was done and what was refused."""
    if refused := post_only(request):
        return refused
    require(membership, "content.view_library")
    back = safe_next(request, request.POST.get("next")) or reverse("content:library")
    topics, campaigns = selectors.feed_filter_choices(membership=membership)
    form = BulkForm(request.POST, topics=topics, campaigns=campaigns)
    if not form.is_valid():
        messages.error(request, _("Choose an action and check at least one item."))
        return redirect(back)
    data = form.cleaned_data
    try:
        results = bulk.bulk_apply(
            membership=membership,
            action=data["action"],
            item_ids=data["items"],
            campaign_id=data.get("campaign"),
            topic_id=data.get("topic"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = sum(1 for result in results if result.done)
    return render(
        request,
        "content/library_bulk_report.html",
        {
            "action_label": bulk.ACTIONS[data["action"]],
            "results": results,
            "done": done,
            "refused": len(results) - done,
            "back": back,
        },
    )


@member_view
def item_duplicate(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    item = selectors.item_for_editor(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    require(membership, "content.create")
    new = library_services.item_duplicate(membership=membership, item=item)
    messages.success(request, _("A copy was created as a draft: edit it."))
    return redirect("content:item_edit", pk=new.pk)


@member_view
def item_from_template(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    template = selectors.item_for_editor(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    require(membership, "content.create")
    try:
        new = library_services.item_from_template(membership=membership, template=template)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("content:item", pk=template.pk)
    messages.success(request, _("A draft was created from the template: complete it."))
    return redirect("content:item_edit", pk=new.pk)


def _render_import(
    request: HttpRequest,
    form: CsvUploadForm,
    *,
    report: csv_import.CsvReport | None = None,
    text: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "content/library_import.html",
        {
            "form": form,
            "report": report,
            "text": text,
            "error": error,
            "columns": csv_import.COLUMNS,
            "max_rows": csv_import.MAX_ROWS,
        },
        status=status,
    )


@member_view
def library_import(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Upload a CSV file: a dry run reports every row's errors; once the file is clean, the
    page offers to import it (the checked text is posted back and checked again)."""
    require(membership, "content.create")
    if request.method != "POST":
        return _render_import(request, CsvUploadForm())
    if "confirm" in request.POST:
        text = request.POST.get("text", "")
        try:
            items = csv_import.csv_import(membership=membership, text=text)
        except DomainError as exc:
            report = csv_import.csv_check(membership=membership, text=text)
            return _render_import(
                request, CsvUploadForm(), report=report, error=exc.message, status=400
            )
        messages.success(
            request,
            ngettext(
                "%(n)d item was imported as a draft.",
                "%(n)d items were imported as drafts.",
                len(items),
            )
            % {"n": len(items)},
        )
        return redirect(reverse("content:library") + "?state=draft")
    form = CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        csv_import.refuse_if_too_big(upload.size or 0)
        text = csv_import.decode_upload(upload.read(csv_import.MAX_BYTES + 1))
        report = csv_import.csv_check(membership=membership, text=text)
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _render_import(request, form, status=400)
    status = 200 if report.clean else 400
    return _render_import(request, CsvUploadForm(), report=report, text=text, status=status)


@member_view
def library_import_sample(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "content.create")
    topics, campaigns = selectors.feed_filter_choices(membership=membership)
    sample = csv_import.sample_csv(
        topics=[name for _pk, name in topics[:2]],
        campaign=campaigns[0][1] if campaigns else "",
    )
    response = HttpResponse(sample, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portevoix-import-sample.csv"'
    return response
