"""Completion reports: course groups by team, then person by person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import goal_metrics
from portevoix.core.tenancy import get_scoped_or_404, scoped

from ..models import Certificate, Course, Enrollment
from .courses import COURSE_GROUP, GROUP

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership, Team


@dataclass
class Cell:
    members: int
    passed: int
    started: int

    @property
    def percent(self) -> int:
        return (self.passed * 100) // self.members if self.members else 0

    @property
    def in_progress(self) -> int:
        return max(self.started - self.passed, 0)


@dataclass
class ReportRow:
    course: Course  # the original of the group
    languages: list[str]
    everyone: Cell
    teams: list[Cell]


@dataclass
class CompletionOverview:
    teams: Sequence[Team]
    rows: list[ReportRow]


def report_courses(*, membership: Membership) -> list[Course]:
    """Originals (one per group) of the published courses, with their languages."""
    require(membership, "training.view_reports")
    courses = list(
        scoped(Course, membership.organization_id)
        .filter(published=True)
        .annotate(group=GROUP)
        .select_related("translation_of")
        .order_by("title", "id")
    )
    groups: dict[int, list[Course]] = {}
    for course in courses:
        groups.setdefault(course.group, []).append(course)
    originals = []
    for members in groups.values():
        original = next((c for c in members if c.translation_of_id is None), None)
        if original is None:  # the original is a draft: show it anyway, through a translation
            original = members[0].translation_of or members[0]
        original.report_languages = sorted({c.language for c in members})  # type: ignore[attr-defined]
        originals.append(original)
    return sorted(originals, key=lambda c: (c.title, c.pk))


def _counts(qs: QuerySet[Any], *keys: str) -> dict[tuple[Any, ...], int]:
    rows = qs.values(*keys).annotate(n=Count("membership", distinct=True)).order_by()
    return {tuple(row[k] for k in keys): row["n"] for row in rows}


def completion_overview(*, membership: Membership) -> CompletionOverview:
    """Course groups x teams: active members, passed, started. Seven queries, whatever the
    size of the organization."""
    courses = report_courses(membership=membership)
    org = membership.organization_id
    teams = list(account_selectors.organization_teams(organization_id=org, with_member_count=True))
    everyone = account_selectors.active_members(organization_id=org).count()
    certs = scoped(Certificate, org).filter(revoked_at__isnull=True, membership__is_active=True)
    certs = certs.annotate(group=COURSE_GROUP)
    enrolled = scoped(Enrollment, org).filter(membership__is_active=True)
    enrolled = enrolled.annotate(group=COURSE_GROUP)
    passed_all = _counts(certs, "group")
    passed_team = _counts(certs, "group", "membership__teams")
    started_all = _counts(enrolled, "group")
    started_team = _counts(enrolled, "group", "membership__teams")
    rows = []
    for course in courses:
        group = course.pk
        rows.append(
            ReportRow(
                course=course,
                languages=course.report_languages,  # type: ignore[attr-defined]
                everyone=Cell(everyone, passed_all.get((group,), 0), started_all.get((group,), 0)),
                teams=[
                    Cell(
                        team.member_count,  # type: ignore[attr-defined]  # annotated
                        passed_team.get((group, team.pk), 0),
                        started_team.get((group, team.pk), 0),
                    )
                    for team in teams
                ],
            )
        )
    return CompletionOverview(teams=teams, rows=rows)


@dataclass
class PersonStatus:
    membership: Membership
    teams: list[Team]
    status: str  # "passed" | "in_progress" | "not_started"
    lessons_done: int = 0
    lesson_count: int = 0
    best_score: int | None = None
    attempts: int = 0
    passed_at: dt.datetime | None = None
    certificate: Certificate | None = None
    language: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def report_group(*, membership: Membership, pk: int) -> Course:
    """The original course of a group, for the per-person report."""
    require(membership, "training.view_reports")
    course = get_scoped_or_404(Course, membership.organization_id, pk=pk)
    if course.translation_of_id is not None:
        course = get_scoped_or_404(Course, membership.organization_id, pk=course.translation_of_id)
    return course


def report_teams(*, membership: Membership) -> list[Team]:
    require(membership, "training.view_reports")
    return list(account_selectors.organization_teams(organization_id=membership.organization_id))


def report_people(
    *, membership: Membership, course: Course, team_id: int | None = None
) -> QuerySet[Membership]:
    """Active members to list in the per-person report (paginate, then `person_statuses`)."""
    require(membership, "training.view_reports")
    return account_selectors.people_with_teams(
        organization_id=membership.organization_id, team_id=team_id
    )


def report_people_batches(
    *, membership: Membership, course: Course, size: int
) -> Iterator[list[Membership]]:
    """Every person of the report, in lists of at most `size`, read in chunks (CSV export)."""
    batch: list[Membership] = []
    for person in report_people(membership=membership, course=course).iterator(chunk_size=size):
        batch.append(person)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def person_statuses(*, course: Course, people: Iterable[Membership]) -> Iterator[PersonStatus]:
    """Each person's status in the course group of `course`. Three queries per batch."""
    people = list(people)
    ids = [m.pk for m in people]
    group = course.group_id
    in_group = Q(course_id=group) | Q(course__translation_of_id=group)
    lesson_counts = dict(
        scoped(Course, course.organization_id)
        .filter(Q(pk=group) | Q(translation_of_id=group))
        .annotate(n=Count("lessons"))
        .values_list("pk", "n")
    )
    enrollments: dict[int, list[Enrollment]] = {}
    for e in (
        Enrollment.objects.filter(in_group, membership_id__in=ids)
        .annotate(done=Count("completions"))
        .select_related("course")
    ):
        enrollments.setdefault(e.membership_id, []).append(e)
    certificates: dict[int, Certificate] = {}
    for c in Certificate.objects.filter(
        in_group, membership_id__in=ids, revoked_at__isnull=True
    ).order_by("issued_at"):
        certificates.setdefault(c.membership_id, c)
    for person in people:
        teams = list(person.teams.all())
        certificate = certificates.get(person.pk)
        mine = enrollments.get(person.pk, [])
        best = max(
            mine,
            key=lambda e: (e.course_id == getattr(certificate, "course_id", None), e.done),  # type: ignore[attr-defined]
            default=None,
        )
        if certificate is not None:
            status = "passed"
        elif mine:
            status = "in_progress"
        else:
            status = "not_started"
        yield PersonStatus(
            membership=person,
            teams=teams,
            status=status,
            lessons_done=getattr(best, "done", 0) if best else 0,
            lesson_count=lesson_counts.get(best.course_id, 0) if best else 0,
            best_score=max((e.best_score for e in mine if e.best_score is not None), default=None),
            attempts=sum(e.attempt_count for e in mine),
            passed_at=certificate.issued_at if certificate else None,
            certificate=certificate,
            language=best.course.language if best else "",
        )


def certified_count(
    organization_id: int, start: dt.date, end: dt.date, member_ids: Iterable[int] | None
) -> int:
    """Active members holding a valid certificate at the end of `end`, among `member_ids`
    (None: everyone): the goal figure "certified ambassadors" (`core.goal_metrics`), a
    level. `start` is not used: a certificate counts however old it is."""
    _since, until = goal_metrics.day_bounds(start, end)
    qs = scoped(Certificate, organization_id).filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=until),
        issued_at__lt=until,
        membership__is_active=True,
    )
    if member_ids is not None:
        qs = qs.filter(membership_id__in=member_ids)
    return qs.values("membership_id").distinct().count()
