"""The weekly team report and the monthly management report: one plain dataclass per
organization, kind and period, read from the rollups through the dashboards' selectors
(figures against the previous period, KPIs and EMV, goals, top content, top ambassadors,
trends), never from raw events.

- Weekly: a week from Monday to Sunday; by default the last full one. Monthly: a calendar
  month; by default the last full one. Any past period can be asked for by a day in it
  (`start`); a period that has not ended yet is NotFound.
- Top ambassadors leave out those who chose not to appear (their figures still count in
  every total); the others appear by name or pseudonym, as they chose.
- The monthly report adds the best posts "ready to copy" (their suggested text and link).
- Goals: those running during the period, their progress as of the period's last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.accounts.roles import ROLE_ACTIONS
from portevoix.content import selectors as content_selectors
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import scoped

from ..models import DeliveryStatus, ReportDelivery, ReportSchedule
from . import goals as goal_selectors
from . import kpis as kpi_selectors
from .breakdowns import Row, breakdown
from .comparison import Comparison, comparison
from .figures import Unit
from .scope import Filters
from .series import Point, timeseries

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

WEEKLY, MONTHLY = "weekly", "monthly"
KINDS = (WEEKLY, MONTHLY)
KIND_LABELS = {
    WEEKLY: gettext_lazy("Weekly team report"),
    MONTHLY: gettext_lazy("Monthly management report"),
}
KIND_PURPOSES = {
    WEEKLY: gettext_lazy("For the team's weekly meeting: last week, Monday to Sunday."),
    MONTHLY: gettext_lazy("For management: last month, with the best posts ready to copy."),
}
TOP_ROWS = 5
GOALS_SHOWN = 6
READY_POSTS = {WEEKLY: 0, MONTHLY: 2}
# The trend chart: this many periods, the report's own last.
TREND_PERIODS = {WEEKLY: 8, MONTHLY: 6}
RECENT_PERIODS = 8  # periods offered on the reports' list


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound("No such report.")
    return kind


def period_of(kind: str, day: dt.date) -> Period:
    """The week (Monday to Sunday) or the calendar month that holds `day`."""
    if check_kind(kind) == WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(kind, day.replace(day=1), day.replace(day=last))


def last_full(kind: str, today: dt.date) -> Period:
    """The last period that ended before `today`."""
    current = period_of(kind, today)
    return period_of(kind, current.start - dt.timedelta(days=1))


def period_for(kind: str, start: dt.date | None, *, today: dt.date) -> Period:
    """The period holding `start` (the last full one when None); NotFound when it has not
    ended before `today`."""
    if start is None:
        return last_full(kind, today)
    found = period_of(kind, start)
    if found.end >= today:
        raise NotFound("This period has not ended yet.")
    return found


def recent_periods(kind: str, today: dt.date, count: int = RECENT_PERIODS) -> list[Period]:
    """The last `count` full periods, newest first."""
    found = [last_full(kind, today)]
    while len(found) < count:
        found.append(period_of(kind, found[-1].start - dt.timedelta(days=1)))
    return found


def _trend_filters(period: Period) -> tuple[Filters, Unit]:
    n = TREND_PERIODS[period.kind]
    if period.kind == WEEKLY:
        return Filters(period.start - dt.timedelta(days=7 * (n - 1)), period.end), "week"
    first = period.start
    for _i in range(n - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return Filters(first, period.end), "month"


@dataclass(frozen=True)
class Report:
    kind: str
    organization_id: int
    organization_name: str
    period: Period
    comparison: Comparison  # the period against the previous one of the same length
    kpis: kpi_selectors.Kpis
    goals: list[goal_selectors.GoalProgress]
    top_items: list[Row]
    top_people: list[Row]  # who chose not to appear is not here
    networks: list[Row]
    days: list[Point]  # the period, day by day
    trend: list[Point]  # the last periods, this one last
    trend_unit: Unit
    ready_posts: list[content_selectors.ReadyPost] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def previous(self) -> Period:
        return Period(self.kind, self.comparison.previous_start, self.comparison.previous_end)


def report(
    *,
    membership: Membership,
    kind: str,
    start: dt.date | None = None,
    today: dt.date | None = None,
) -> Report:
    """The report of `kind` for the membership's organization (`analytics.view_org`), for
    the period holding `start` (the last full one by default). A bounded number of queries,
    whatever the organization's size: two per figure set, one per shown goal."""
    require(membership, "analytics.view_org")
    period = period_for(check_kind(kind), start, today=today or goal_selectors.today())
    filters = Filters(period.start, period.end)
    before = period_of(kind, period.start - dt.timedelta(days=1))
    compared = comparison(
        membership=membership, filters=filters, previous=(before.start, before.end)
    )
    kpis = kpi_selectors.kpis(membership=membership, filters=filters, figures=compared.current)
    goals = goal_selectors.goals(
        membership=membership, on=period.end, ending_after=period.start, limit=GOALS_SHOWN
    )
    goals = [g for g in goals if g.goal.start <= period.end]
    items = breakdown(membership=membership, filters=filters, dimension="item", limit=TOP_ROWS)
    # The top ambassadors: a few more rows read, so that five remain once the hidden are out.
    people = breakdown(
        membership=membership, filters=filters, dimension="ambassador", limit=TOP_ROWS * 3
    )
    networks = breakdown(membership=membership, filters=filters, dimension="network", limit=None)
    trend_filters, unit = _trend_filters(period)
    ready: list[content_selectors.ReadyPost] = []
    wanted = READY_POSTS[kind]
    if wanted:
        ids = [int(row.key) for row in items.rows if row.key.isdigit()]
        posts = content_selectors.ready_posts(
            organization_id=membership.organization_id, item_ids=ids
        )
        ready = [posts[i] for i in ids if i in posts and (posts[i].text or posts[i].link)]
        ready = ready[:wanted]
    return Report(
        kind=kind,
        organization_id=membership.organization_id,
        organization_name=membership.organization.name,
        period=period,
        comparison=compared,
        kpis=kpis,
        goals=goals,
        top_items=items.rows,
        top_people=[row for row in people.rows if not row.hidden][:TOP_ROWS],
        networks=networks.rows,
        days=timeseries(membership=membership, filters=filters, unit="day"),
        trend=timeseries(membership=membership, filters=trend_filters, unit=unit),
        trend_unit=unit,
        ready_posts=ready,
    )


# --- Schedules


def reader_roles() -> list[str]:
    """The roles whose members may read the organization's analytics (and so a report)."""
    return [role for role, actions in ROLE_ACTIONS.items() if "analytics.view_org" in actions]


def eligible_recipients(*, organization_id: int) -> list[Membership]:
    """Active members who may read the organization's analytics, by name (one query)."""
    found = account_selectors.active_members_with_roles(
        organization_id=organization_id, roles=reader_roles()
    )
    return sorted(found, key=lambda m: ((m.user.full_name or m.user.email).casefold(), m.pk))


def schedule_of(*, organization_id: int, kind: str) -> ReportSchedule:
    """The organization's schedule of `kind`, created (off) on first use."""
    check_kind(kind)
    found = scoped(ReportSchedule, organization_id).filter(kind=kind).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ReportSchedule.objects.create(organization_id=organization_id, kind=kind)
    except IntegrityError:
        return scoped(ReportSchedule, organization_id).get(kind=kind)


RECENT_DELIVERIES = 20


@dataclass(frozen=True)
class ScheduleState:
    kind: str
    schedule: ReportSchedule
    recipient_ids: list[int]
    deliveries: list[ReportDelivery]  # the latest ones, failures and waiting first
    failures: int  # deliveries that failed for good

    @property
    def title(self) -> str:
        return str(KIND_LABELS[self.kind])


def can_manage(membership: Membership | None) -> bool:
    return can(membership, "report.manage")


def schedules(*, membership: Membership) -> list[ScheduleState]:
    """Each kind's schedule with its recipients and latest deliveries (`report.manage`);
    a constant number of queries."""
    require(membership, "report.manage")
    org = membership.organization_id
    found = {s.kind: s for s in (schedule_of(organization_id=org, kind=k) for k in KINDS)}
    links = ReportSchedule.recipients.through.objects.filter(
        reportschedule_id__in=[s.pk for s in found.values()]
    ).values_list("reportschedule_id", "membership_id")
    recipients: dict[int, list[int]] = {}
    for schedule_id, member_id in links:
        recipients.setdefault(schedule_id, []).append(member_id)
    recent = list(
        scoped(ReportDelivery, org)
        .select_related("recipient__user")
        .order_by("-period_start", "-pk")[: RECENT_DELIVERIES * len(KINDS)]
    )
    result = []
    for kind in KINDS:
        schedule = found[kind]
        mine = [d for d in recent if d.schedule_id == schedule.pk][:RECENT_DELIVERIES]
        result.append(
            ScheduleState(
                kind,
                schedule,
                recipients.get(schedule.pk, []),
                mine,
                sum(1 for d in mine if d.status == DeliveryStatus.FAILED),
            )
        )
    return result


def schedule_names(*, organization_id: int, schedule_ids: list[str]) -> dict[str, str]:
    """{schedule id: its report's name} (the audit log's)."""
    ids = [int(i) for i in schedule_ids if i.isdigit()]
    rows = scoped(ReportSchedule, organization_id).filter(pk__in=ids).values_list("pk", "kind")
    return {str(pk): str(KIND_LABELS.get(kind, kind)) for pk, kind in rows}
