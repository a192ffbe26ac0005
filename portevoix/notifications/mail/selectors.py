"""Reads of the emails to ambassadors, for a whole batch of members at once: a bounded
number of queries whatever the batch's size (members, their choices, suppressed
addresses, their last digest, the new items and their copies, what they shared, their
figures, their teams, the goals shown to them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.analytics.selectors import mail as analytics_mail
from portevoix.analytics.selectors.figures import Figures
from portevoix.analytics.selectors.goals import GoalProgress
from portevoix.content.selectors import mail as content_mail
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.sharing import selectors as sharing_selectors

from ..models_mail import (
    DeliveryKind,
    DeliveryState,
    DigestFrequency,
    EmailDelivery,
    EmailPreferences,
    EmailSuppression,
)

# Content older than this is never "new", whenever the last digest was.
MAX_LOOKBACK = dt.timedelta(days=30)
PERIODS: dict[str, dt.timedelta] = {
    DigestFrequency.WEEKLY: dt.timedelta(days=7),
    DigestFrequency.DAILY: dt.timedelta(days=1),
}
MAX_ITEMS_PER_EMAIL = 8


@dataclass
class Recipient:
    membership_id: int
    email: str
    name: str
    language: str
    items: list[Any] = field(default_factory=list)
    figures: Figures | None = None
    goals: list[GoalProgress] = field(default_factory=list)


@dataclass
class Choices:
    digest: str = DigestFrequency.WEEKLY
    important: bool = True


def choices_of(membership_ids: Iterable[int]) -> dict[int, Choices]:
    """The email choices of those who made any (the others have the defaults)."""
    rows = EmailPreferences.objects.filter(membership_id__in=list(membership_ids))
    return {
        pk: Choices(digest, important)
        for pk, digest, important in rows.values_list("membership_id", "digest", "important")
    }


def choices_for(*, membership_id: int) -> Choices:
    return choices_of([membership_id]).get(membership_id, Choices())


def suppressed(emails: Iterable[str]) -> set[str]:
    lowered = {e.lower() for e in emails}
    found = EmailSuppression.objects.filter(email__in=lowered).values_list("email", flat=True)
    return set(found)


def daily_member_ids(*, organization_id: int, after_id: int, limit: int) -> list[int]:
    """Members who chose a daily digest, by id after `after_id` (their own table: a daily
    run does not walk every ambassador)."""
    rows = scoped(EmailPreferences, organization_id).filter(
        digest=DigestFrequency.DAILY, membership_id__gt=after_id
    )
    return list(rows.order_by("membership_id").values_list("membership_id", flat=True)[:limit])


def _last_digests(membership_ids: list[int]) -> dict[int, dt.datetime]:
    rows = (
        EmailDelivery.objects.filter(
            membership_id__in=membership_ids, kind=DeliveryKind.DIGEST, state=DeliveryState.SENT
        )
        .values("membership_id")
        .annotate(last=Max("run__started_at"))
        .order_by()
    )
    return {row["membership_id"]: row["last"] for row in rows}


def digest_batch(
    *,
    organization_id: int,
    rows: list[dict[str, Any]],
    since: dt.datetime,
    frequency: str,
    now: dt.datetime | None = None,
    exclude_run_id: int | None = None,
) -> list[Recipient]:
    """The digest of each member of `rows` (accounts' `ambassador_mail_rows`) that has
    something new: live items in their languages that reached ambassadors after their last
    digest (else after `since`), that they have not shared. Members who chose another
    frequency, whose address is suppressed, or with nothing new are left out."""
    now = now or clock.now()
    ids = [row["membership_id"] for row in rows]
    choices = choices_of(ids)
    blocked = suppressed(row["email"] for row in rows)
    rows = [
        row
        for row in rows
        if choices.get(row["membership_id"], Choices()).digest == frequency
        and row["email"].lower() not in blocked
    ]
    if not rows:
        return []
    ids = [row["membership_id"] for row in rows]
    last = _last_digests(ids)
    floor = now - MAX_LOOKBACK
    items = content_mail.live_items_since(
        organization_id=organization_id, since=min([since, *last.values()]), now=now
    )
    shared = sharing_selectors.shared_pairs(membership_ids=ids, item_ids=[i.pk for i in items])
    recipients = []
    for row in rows:
        pk = row["membership_id"]
        start = max(last.get(pk, since), floor)
        mine = [
            item
            for item in items
            if item.live_since > start
            and item.language in row["languages"]
            and (pk, item.pk) not in shared
        ][:MAX_ITEMS_PER_EMAIL]
        if mine:
            recipients.append(Recipient(pk, row["email"], row["name"], row["language"], items=mine))
    _add_figures_and_goals(organization_id, recipients, now)
    return recipients


def _add_figures_and_goals(
    organization_id: int, recipients: list[Recipient], now: dt.datetime
) -> None:
    if not recipients:
        return
    ids = [r.membership_id for r in recipients]
    totals = analytics_mail.member_totals(organization_id=organization_id, membership_ids=ids)
    goals = analytics_mail.ambassador_goals(organization_id=organization_id, on=now.date())
    teams = account_selectors.teams_by_member(ids) if goals else {}
    for recipient in recipients:
        recipient.figures = totals.get(recipient.membership_id)
        mine = set(teams.get(recipient.membership_id, []))
        recipient.goals = [g for g in goals if g.goal.team_id is None or g.goal.team_id in mine][
            : analytics_mail.MAX_MAIL_GOALS
        ]


def preview_recipient(
    *, viewer: Any, member_id: int | None = None, now: dt.datetime | None = None
) -> tuple[Recipient | None, Any]:
    """The next digest of the viewer (an ambassador), or of `member_id` of their
    organization for an administrator (`org.manage`; another organization's: NotFound).
    Gives (the recipient, or None when nothing is new, and the membership)."""
    if member_id is not None and member_id != viewer.pk:
        require(viewer, "org.manage")
        member = account_selectors.active_member(
            organization_id=viewer.organization_id, pk=member_id
        )
    else:
        require(viewer, "feed.view")
        member = viewer
    now = now or clock.now()
    rows = account_selectors.ambassador_mail_rows(
        organization_id=member.organization_id, ids=[member.pk]
    )
    if not rows:
        return None, member
    choice = choices_for(membership_id=member.pk).digest
    frequency = choice if choice != DigestFrequency.OFF else DigestFrequency.WEEKLY
    found = digest_batch(
        organization_id=member.organization_id,
        rows=rows,
        since=now - PERIODS[frequency],
        frequency=frequency,
        now=now,
    )
    return (found[0] if found else None), member


def deliveries_needing_attention(*, membership: Any, limit: int = 200) -> list[EmailDelivery]:
    """The organization's failed and suppressed deliveries, newest first (admins)."""
    require(membership, "org.manage")
    return list(
        scoped(EmailDelivery, membership.organization_id)
        .filter(state__in=[DeliveryState.FAILED, DeliveryState.SUPPRESSED])
        .select_related("membership__user")
        .order_by("-created_at", "-id")[:limit]
    )


def important_batch(
    *, organization_id: int, rows: list[dict[str, Any]], item_id: int, now: dt.datetime
) -> list[Recipient]:
    """The important item's email to each member of `rows` who reads its language, wants
    these emails and whose address is not suppressed (the item no longer live: nobody)."""
    items = content_mail.live_items_since(
        organization_id=organization_id, since=now - MAX_LOOKBACK, now=now, item_ids=[item_id]
    )
    if not items or not items[0].important:
        return []
    item = items[0]
    choices = choices_of(row["membership_id"] for row in rows)
    blocked = suppressed(row["email"] for row in rows)
    return [
        Recipient(row["membership_id"], row["email"], row["name"], row["language"], items=[item])
        for row in rows
        if choices.get(row["membership_id"], Choices()).important
        and item.language in row["languages"]
        and row["email"].lower() not in blocked
    ]
