"""Completion reports: by course and team, then by person; CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import can, require
from portevoix.core.api_support import MAX_DB_INT
from portevoix.core.web import member_view

from .. import selectors
from ..models import Course

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PEOPLE_PER_PAGE = 50
CSV_BATCH = 1000


def _status_labels() -> dict[str, str]:
    return {
        "passed": _("Passed"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
    }


@member_view
@require_http_methods(["GET"])
def report(request: HttpRequest, membership: Membership) -> HttpResponse:
    overview = selectors.completion_overview(membership=membership)
    return render(request, "training/report.html", {"overview": overview})


def _team_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("team", "")
    if not value.isdigit() or int(value) > MAX_DB_INT:
        return None
    return int(value)


@member_view
@require_http_methods(["GET"])
def report_course(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    course = selectors.report_group(membership=membership, pk=pk)
    team_id = _team_filter(request)
    people = selectors.report_people(membership=membership, course=course, team_id=team_id)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(selectors.person_statuses(course=course, people=page.object_list))
    return render(
        request,
        "training/report_course.html",
        {
            "course": course,
            "page": page,
            "rows": rows,
            "teams": selectors.report_teams(membership=membership),
            "team_id": team_id,
            "can_revoke": can(membership, "training.manage"),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv_rows(membership: Membership, course: Course) -> Iterator[list[str]]:
    labels = _status_labels()
    yield [
        _("Name"),
        _("Email"),
        _("Teams"),
        _("Course"),
        _("Status"),
        _("Language"),
        _("Lessons read"),
        _("Lessons"),
        _("Best score (%)"),
        _("Attempts"),
        _("Passed on"),
        _("Certificate"),
    ]
    for batch in selectors.report_people_batches(
        membership=membership, course=course, size=CSV_BATCH
    ):
        yield from _csv_batch(course, batch, labels)


def _csv_batch(
    course: Course, batch: list[Membership], labels: dict[str, str]
) -> Iterator[list[str]]:
    for row in selectors.person_statuses(course=course, people=batch):
        user = row.membership.user
        yield [
            _cell(value)
            for value in (
                user.full_name,
                user.email,
                ", ".join(t.name for t in row.teams),
                course.title,
                labels[row.status],
                row.language,
                row.lessons_done if row.status != "not_started" else "",
                row.lesson_count if row.status != "not_started" else "",
                row.best_score if row.best_score is not None else "",
                row.attempts,
                timezone.localtime(row.passed_at).date().isoformat() if row.passed_at else "",
                row.certificate.public_id if row.certificate else "",
            )
        ]


@member_view
@require_http_methods(["GET"])
def report_csv(request: HttpRequest, membership: Membership, pk: int) -> StreamingHttpResponse:
    course = selectors.report_group(membership=membership, pk=pk)
    require(membership, "training.view_reports")
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(membership, course)),
        content_type="text/csv; charset=utf-8",
    )
    name = slugify(course.title)[:50] or "course"
    response["Content-Disposition"] = f'attachment; filename="training-{name}.csv"'
    return response
