"""The export per person and period for HR's individual objectives: points (lifetime and
spendable), shares, clicks, engagement and redemptions, as CSV or XLSX.

- Who: `rewards.export_all` (administrators, analysts) exports everyone of the organization
  except those who chose to appear "not at all" (hidden from every export but their own);
  every member exports the same row about themselves (`rewards.redeem`).
- Same figures both ways: points from recognition's ledger (`points_between`), shares,
  clicks and engagements from analytics' rollups (the "ambassador" breakdown for everyone,
  the member's own totals for themselves), redemptions from rewards.
- `COLUMNS` is the extension point: a column is a key, a label and a getter on the row's
  values; badges (another app, to come) adds its count by appending a `Column` whose getter
  reads a value put in `Row.extra` by a provider (see `EXTRA_PROVIDERS`).
- Text cells that a spreadsheet would read as a formula (= + - @ tab CR) get a leading
  quote, in CSV and in XLSX (`core.spreadsheet`, shared with analytics' exports).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.analytics import selectors as analytics_selectors
from portevoix.core.errors import DomainError
from portevoix.core.spreadsheet import Sheet, cell_safe, csv_bytes, xlsx_bytes
from portevoix.core.tenancy import scoped
from portevoix.recognition import selectors as recognition_selectors

from .models import HOLDING, Redemption

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PERIOD_KINDS = ("month", "quarter", "year", "custom")
MAX_DAYS = 366


def period_range(
    kind: str, day: dt.date, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of the month, quarter or year of `day`, or `start`..`end`."""
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        last = calendar.monthrange(day.year, last_month)[1]
        return dt.date(day.year, first_month, 1), dt.date(day.year, last_month, last)
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if kind == "custom" and start and end:
        if end < start:
            message = str(_("The end date is before the start date."))
            raise DomainError(message, field_errors={"end": [message]})
        if (end - start).days >= MAX_DAYS:
            message = str(_("At most %(days)s days.") % {"days": MAX_DAYS})
            raise DomainError(message, field_errors={"start": [message]})
        return start, end
    message = str(_("Choose a period."))
    raise DomainError(message, field_errors={"period": [message]})


@dataclass
class Row:
    membership_id: int
    name: str
    lifetime: int = 0
    spendable: int = 0
    shares: int = 0
    clicks: int = 0
    engagements: int = 0
    redemptions: int = 0
    redeemed_points: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Row], Any]


COLUMNS: list[Column] = [
    Column("name", _("Name"), lambda r: r.name),
    Column("lifetime", _("Points earned"), lambda r: r.lifetime),
    Column("spendable", _("Spendable points (net)"), lambda r: r.spendable),
    Column("shares", _("Shares"), lambda r: r.shares),
    Column("clicks", _("Clicks"), lambda r: r.clicks),
    Column("engagements", _("Engagements"), lambda r: r.engagements),
    Column("redemptions", _("Rewards redeemed"), lambda r: r.redemptions),
    Column("redeemed_points", _("Points redeemed"), lambda r: r.redeemed_points),
    Column("badges", _("Badges earned"), lambda r: ", ".join(r.extra.get("badges", []))),
]


# Callables (organization_id, membership_ids, start, end) -> {membership id: {key: value}},
# merged into `Row.extra` (the badges earned in the period: recognition's `badges_between`).
def _badges(
    organization_id: int, ids: list[int], start: dt.date, end: dt.date
) -> dict[int, dict[str, Any]]:
    earned = recognition_selectors.badges_between(
        organization_id=organization_id, membership_ids=ids, start=start, end=end
    )
    return {pk: {"badges": names} for pk, names in earned.items()}


EXTRA_PROVIDERS: list[Callable[[int, list[int], dt.date, dt.date], dict[int, dict[str, Any]]]] = [
    _badges
]


@dataclass(frozen=True)
class Export:
    start: dt.date
    end: dt.date
    rows: list[Row]

    def header(self) -> list[str]:
        return [str(column.label) for column in COLUMNS]

    def cells(self) -> Iterable[list[Any]]:
        for row in self.rows:
            yield [cell_safe(column.value(row)) for column in COLUMNS]


def _fill(organization_id: int, rows: dict[int, Row], start: dt.date, end: dt.date) -> None:
    ids = list(rows)
    points = recognition_selectors.points_between(
        organization_id=organization_id, start=start, end=end, membership_ids=ids
    )
    for pk, (lifetime, spendable) in points.items():
        rows[pk].lifetime, rows[pk].spendable = lifetime, spendable
    redeemed = (
        scoped(Redemption, organization_id)
        .filter(
            membership_id__in=ids,
            status__in=HOLDING,
            created_at__date__gte=start,
            created_at__date__lte=end,
        )
        .order_by()
        .values("membership_id")
        .annotate(count=Count("pk"), points=Sum("cost"))
    )
    for found in redeemed:
        row = rows[found["membership_id"]]
        row.redemptions, row.redeemed_points = found["count"], int(found["points"] or 0)
    for provider in EXTRA_PROVIDERS:
        for pk, values in provider(organization_id, ids, start, end).items():
            if pk in rows:
                rows[pk].extra.update(values)


def export_own(*, membership: Membership, start: dt.date, end: dt.date) -> Export:
    """The member's own row, whatever they chose about how others see them."""
    require(membership, "rewards.redeem")
    user = account_selectors.user_of(membership)
    name = (user.display_name if user is not None else "") or ""
    row = Row(membership_id=membership.pk, name=name)
    if can(membership, "analytics.view_own"):
        filters = analytics_selectors.filters_for(membership, start=start, end=end)
        figures = analytics_selectors.totals(membership=membership, filters=filters, own=True)
        row.shares, row.clicks, row.engagements = (
            figures.shares,
            figures.clicks,
            figures.engagements,
        )
    _fill(membership.organization_id, {membership.pk: row}, start, end)
    return Export(start, end, [row])


def export_all(*, membership: Membership, start: dt.date, end: dt.date) -> Export:
    """Every active member of the organization but the hidden, by name (or pseudonym)."""
    require(membership, "rewards.export_all")
    org_id = membership.organization_id
    hidden = set(
        account_selectors.hidden_member_ids(organization_id=org_id).values_list("pk", flat=True)
    )
    ids = [
        pk for pk in account_selectors.membership_ids(organization_id=org_id) if pk not in hidden
    ]
    names = account_selectors.public_names(organization_id=org_id, membership_ids=ids)
    rows = {pk: Row(membership_id=pk, name=names[pk].name if pk in names else "") for pk in ids}
    if can(membership, "analytics.view_org"):
        filters = analytics_selectors.filters_for(membership, start=start, end=end)
        for found in analytics_selectors.breakdown_iter(
            membership=membership, filters=filters, dimension="ambassador"
        ):
            if found.hidden or not found.key.isdigit() or int(found.key) not in rows:
                continue
            row = rows[int(found.key)]
            row.shares = found.figures.shares
            row.clicks = found.figures.clicks
            row.engagements = found.figures.engagements
    _fill(org_id, rows, start, end)
    ordered = sorted(rows.values(), key=lambda r: (r.name.casefold(), r.membership_id))
    return Export(start, end, ordered)


def _sheet(export: Export) -> Sheet:
    return Sheet(f"{export.start:%Y-%m-%d} {export.end:%Y-%m-%d}", export.header(), export.cells())


def as_csv(export: Export) -> bytes:
    return csv_bytes(_sheet(export))


def as_xlsx(export: Export) -> bytes:
    return xlsx_bytes([_sheet(export)])
