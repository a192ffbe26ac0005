"""The reports: the list of kinds and periods, a report as a page, a PDF, an XLSX workbook
(one sheet per table) and CSV (one table with `?table=`, else a zip of them all); and the
schedules of their sending. Reports are read by `analytics.view_org` (an ambassador gets
403); schedules are set by `report.manage`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portevoix.accounts.permissions import require
from portevoix.core import spreadsheet
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from . import report_render, services_reports
from .forms_reports import ScheduleForm
from .selectors import goals as goal_selectors
from .selectors import reports as report_selectors
from .views import XLSX_TYPE

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _start(request: HttpRequest) -> dt.date | None:
    value = request.GET.get("start", "")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("Not a date.") from None


def _report(request: HttpRequest, membership: Membership, kind: str) -> report_selectors.Report:
    return report_selectors.report(membership=membership, kind=kind, start=_start(request))


@member_view
@require_GET
def reports(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "analytics.view_org")
    today = goal_selectors.today()
    kinds = [
        {
            "kind": kind,
            "title": report_selectors.KIND_LABELS[kind],
            "purpose": report_selectors.KIND_PURPOSES[kind],
            "periods": report_selectors.recent_periods(kind, today),
        }
        for kind in report_selectors.KINDS
    ]
    return render(
        request,
        "analytics/reports.html",
        {"kinds": kinds, "can_manage": report_selectors.can_manage(membership)},
    )


@member_view
@require_GET
def report(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    found = _report(request, membership, kind)
    context = report_render.context(found)
    context["start"] = found.period.start.isoformat()
    return render(request, "analytics/report.html", context)


@member_view
@require_GET
def report_pdf(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    found = _report(request, membership, kind)
    response = HttpResponse(report_render.pdf_bytes(found), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{report_render.file_name(found, "pdf")}"'
    )
    return response


@member_view
@require_GET
def report_xlsx(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    found = _report(request, membership, kind)
    data = spreadsheet.xlsx_bytes(report_render.sheets(found))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{report_render.file_name(found, "xlsx")}"'
    )
    return response


@member_view
@require_GET
def report_csv(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    """One table with `?table=<code>`; without it, a zip of one CSV per table."""
    table = request.GET.get("table", "")
    if table and table not in report_render.TABLES:
        raise Http404("No such table.")
    found = _report(request, membership, kind)
    if table:
        data = spreadsheet.csv_bytes(report_render.sheet(found, table))
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        name = report_render.file_name(found, "csv", table)
    else:
        files = [
            (report_render.file_name(found, "csv", code), spreadsheet.csv_bytes(sheet))
            for code, sheet in report_render.coded_sheets(found)
        ]
        response = HttpResponse(spreadsheet.zip_bytes(files), content_type="application/zip")
        name = report_render.file_name(found, "zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Schedules


def _people(membership: Membership) -> list[tuple[int, str]]:
    """The recipients one may choose: who may read the organization's figures."""
    return [
        (m.pk, m.user.full_name or m.user.email)
        for m in report_selectors.eligible_recipients(organization_id=membership.organization_id)
    ]


def _forms(
    membership: Membership, bound: tuple[str, ScheduleForm] | None = None
) -> list[tuple[report_selectors.ScheduleState, ScheduleForm]]:
    people = _people(membership)
    result = []
    for state in report_selectors.schedules(membership=membership):
        if bound is not None and bound[0] == state.kind:
            form = bound[1]
        else:
            s = state.schedule
            initial = {
                "enabled": s.enabled,
                "weekday": s.weekday,
                "day": s.day,
                "hour": s.hour,
                "recipients": state.recipient_ids,
            }
            form = ScheduleForm(initial=initial, kind=state.kind, people=people, prefix=state.kind)
        result.append((state, form))
    return result


@member_view
@require_GET
def schedules(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "analytics/report_schedules.html", {"states": _forms(membership)})


@member_view
@require_POST
def schedule_edit(request: HttpRequest, membership: Membership, kind: str) -> HttpResponse:
    require(membership, "report.manage")
    report_selectors.check_kind(kind)
    form = ScheduleForm(request.POST, kind=kind, people=_people(membership), prefix=kind)
    if form.is_valid():
        data = services_reports.ScheduleData(
            enabled=form.cleaned_data["enabled"],
            weekday=form.cleaned_data.get("weekday", 0),
            day=form.cleaned_data.get("day", 1),
            hour=form.cleaned_data["hour"],
            recipient_ids=form.cleaned_data["recipients"],
        )
        try:
            services_reports.report_schedule_set(actor=membership, kind=kind, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("analytics:report_schedules")
    states = _forms(membership, (kind, form))
    return render(request, "analytics/report_schedules.html", {"states": states}, status=400)
