"""Who the boards list, kept on the totals (`PointTotal.listed`) so that a rank counts the
listed rows above without a join per member (docs/decisions/0033-listed-totals.md).

A member is listed unless inactive, withdrawn from the programme or "not at all" by choice
(accounts' rule, `accounts.selectors.unlisted_among`); the organization's default for those
who did not choose is read by the boards themselves. Accounts sends `listing_changed` in the
transaction of every save that may change it; the receiver reads the state again and sets
the flag on the member's rows that disagree (nothing when they agree: a signal may come for
nothing, or twice). New rows take the flag from the same rule when the ledger inserts them
(`totals.totals_add`). A daily check (`listing_check`) sets again every row that disagrees, for
the changes no signal tells (a bulk update, a row inserted while its member's state changed),
and counts the histogram (`PointHistogram`: listed members per points) again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum

from portevoix.accounts import selectors as accounts_selectors
from portevoix.core.tenancy import scoped

from ..models import PointHistogram, PointTotal
from .totals import histogram_add, histogram_compact


@transaction.atomic
def listing_refresh(*, organization_id: int, membership_ids: Iterable[int] | None = None) -> int:
    """Set `listed` on the totals of `membership_ids` where it disagrees with their state
    now, their points moved in or out of the histogram with them (the rows locked). With
    None, every member of the organization, and the histogram built again from the totals.
    Returns how many rows changed."""
    rows = scoped(PointTotal, organization_id)
    if membership_ids is None:
        unlisted = set(
            accounts_selectors.unlisted_member_ids(organization_id=organization_id).values_list(
                "pk", flat=True
            )
        )
        _lock_totals()
        # The rows of members who became listed again: among the few rows not listed.
        changed = rows.filter(listed=False).exclude(membership_id__in=unlisted).update(listed=True)
        if unlisted:
            changed += rows.filter(membership_id__in=unlisted, listed=True).update(listed=False)
        histogram_rebuild(organization_id=organization_id)
        return changed
    ids = set(membership_ids)
    if not ids:
        return 0
    unlisted = accounts_selectors.unlisted_among(
        organization_id=organization_id, membership_ids=ids
    )
    buckets: dict[tuple[str, dt.date, int], int] = defaultdict(int)
    changed = 0
    for members, flag, sign in ((ids - unlisted, True, 1), (unlisted, False, -1)):
        if not members:
            continue
        found = list(
            rows.select_for_update()
            .filter(membership_id__in=members, listed=not flag)
            .values_list("pk", "period", "start", "points")
        )
        if not found:
            continue
        changed += PointTotal.objects.filter(pk__in=[row[0] for row in found]).update(listed=flag)
        for _pk, period, start, points in found:
            if points > 0:
                buckets[(period, start, points)] += sign
    histogram_add(organization_id, buckets)
    return changed


def _lock_totals() -> None:
    """On PostgreSQL, hold every write to the totals until this transaction ends (the
    histogram is rebuilt from them: an award in between would be lost or counted twice).
    SQLite writes one transaction at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {PointTotal._meta.db_table} IN SHARE MODE")


def histogram_rebuild(*, organization_id: int) -> None:
    """The organization's histogram counted again from its listed totals (one grouped read,
    then the buckets that differ written, and each bucket's rows folded into one)."""
    counted = {
        (period, start, points): n
        for period, start, points, n in scoped(PointTotal, organization_id)
        .filter(listed=True, points__gt=0)
        .order_by()
        .values_list("period", "start", "points")
        .annotate(n=Count("id"))
    }
    stored = {
        (period, start, points): n
        for period, start, points, n in scoped(PointHistogram, organization_id)
        .order_by()
        .values_list("period", "start", "points")
        .annotate(n=Sum("members"))
    }
    histogram_add(
        organization_id,
        {key: counted.get(key, 0) - stored.get(key, 0) for key in counted.keys() | stored.keys()},
    )
    histogram_compact(organization_id=organization_id)


def listing_check() -> int:
    """Every organization's totals set again where they disagree, and its histogram
    counted again (the nightly task)."""
    organization_ids = (
        PointTotal.objects.order_by().values_list("organization_id", flat=True).distinct()
    )
    return sum(
        listing_refresh(organization_id=organization_id) for organization_id in organization_ids
    )
