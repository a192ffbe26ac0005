"""Badges: checked right after each ledger entry, in its transaction, and once a month
for the month's top 10.

Cost per ledger entry (`badges_check_entry`): one query for the organization's active
badges that count the entry's rule or points and that the person does not hold yet (an
indexed `NOT EXISTS` on `BadgeAward(badge, membership)`), then at most one query per
distinct counter among them: a rule's rows of the person (`PointEntry` index
`membership, rule, ...`) or their all-time `PointTotal` row. Once someone holds every
badge that counts a rule, that rule's entries cost the one query. Each earning is an
insert in a savepoint (unique `(badge, membership)`): a concurrent worker or a replay
earns nothing twice, and `signals.badge_earned` goes out on commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped, scoped

from .. import signals
from ..badge_kinds import BUILTIN, CUSTOM_COUNTERS
from ..models import (
    MONTHLY_TOP,
    POINTS,
    SESSIONS_COACHED,
    Badge,
    BadgeAward,
    BadgeColor,
    BadgeShape,
    MonthClosed,
    PointEntry,
    PointTotal,
)
from ..periods import local_day

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.recognition")

TOP_SIZE = 10
MAX_THRESHOLD = 1_000_000


def _ensured_key(organization_id: int) -> str:
    return f"recognition:badges-ensured:{organization_id}"


def badges_ensure_defaults(*, organization_id: int) -> None:
    """Create the built-in badges of an organization if it has none (a concurrent second
    writer inserts nothing). Once they are committed, a cache flag spares the query (the
    built-in badges are never deleted, only deactivated)."""
    key = _ensured_key(organization_id)
    if cache.get(key):
        return
    if scoped(Badge, organization_id).exclude(code="").exists():
        transaction.on_commit(lambda: cache.set(key, True, 3600))
        return
    now = clock.now()
    Badge.objects.bulk_create(
        [
            Badge(
                organization_id=organization_id,
                code=code,
                counter=b.counter,
                threshold=b.threshold,
                shape=b.shape,
                color=b.color,
                created_at=now,
            )
            for code, b in BUILTIN.items()
        ],
        ignore_conflicts=True,
    )


def _earn(badge: Badge, membership_id: int, at: dt.datetime) -> BadgeAward | None:
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(
                organization_id=badge.organization_id,
                badge=badge,
                membership_id=membership_id,
                earned_at=at,
            )
    except IntegrityError:
        return None  # already held (a replay, or a concurrent worker)
    organization_id, award_id, badge_id = badge.organization_id, award.pk, badge.pk

    def announce() -> None:
        signals.badge_earned.send(
            sender=BadgeAward,
            organization_id=organization_id,
            membership_id=membership_id,
            badge_id=badge_id,
            award_id=award_id,
        )

    transaction.on_commit(announce)
    logger.info(
        "badge_earned",
        extra={"organization_id": organization_id, "badge_id": badge_id},
    )
    return award


def _held(membership_id: int) -> Exists:
    return Exists(BadgeAward.objects.filter(badge=OuterRef("pk"), membership_id=membership_id))


def _rule_count(organization_id: int, membership_id: int, rule: str) -> int:
    """How many events of `rule` the person had (3 likes in one entry: 3): awards less
    reversals, recount corrections aside."""
    counts = (
        scoped(PointEntry, organization_id)
        .filter(membership_id=membership_id, rule=rule, adjusts__isnull=True)
        .aggregate(
            awards=Sum("count", filter=Q(reverses__isnull=True)),
            reversals=Sum("count", filter=Q(reverses__isnull=False)),
        )
    )
    return int(counts["awards"] or 0) - int(counts["reversals"] or 0)


def _points(organization_id: int, membership_id: int) -> int:
    row = (
        scoped(PointTotal, organization_id)
        .filter(membership_id=membership_id, period="all")
        .values_list("points", flat=True)
        .first()
    )
    return row or 0


def badges_check(
    *, organization_id: int, membership_id: int, counters: set[str], at: dt.datetime
) -> list[BadgeAward]:
    """Award the badges counting one of `counters` that the person now deserves."""
    badges_ensure_defaults(organization_id=organization_id)
    candidates = list(
        scoped(Badge, organization_id)
        .filter(active=True, counter__in=counters)
        .filter(~_held(membership_id))
        .order_by("threshold", "pk")
    )
    values: dict[str, int] = {}
    earned = []
    for badge in candidates:
        if badge.counter not in values:
            if badge.counter == POINTS:
                values[badge.counter] = _points(organization_id, membership_id)
            else:
                values[badge.counter] = _rule_count(organization_id, membership_id, badge.counter)
        if values[badge.counter] >= badge.threshold:
            award = _earn(badge, membership_id, at)
            if award is not None:
                earned.append(award)
    return earned


def badges_check_many(
    *, organization_id: int, people: dict[int, set[str]], at: dt.datetime
) -> list[BadgeAward]:
    """`badges_check` for several people at once (a click batch): the same badges earned,
    in a few queries whatever the number of people (the badges, those held, then each
    counter's values of those who may earn by it)."""
    if not people:
        return []
    badges_ensure_defaults(organization_id=organization_id)
    counters = set().union(*people.values())
    badges = list(
        scoped(Badge, organization_id)
        .filter(active=True, counter__in=counters)
        .order_by("threshold", "pk")
    )
    if not badges:
        return []
    held = set(
        BadgeAward.objects.filter(
            membership_id__in=people, badge_id__in=[b.pk for b in badges]
        ).values_list("membership_id", "badge_id")
    )
    wanted: dict[int, list[Badge]] = {}
    for membership_id, theirs in people.items():
        open_badges = [
            b for b in badges if b.counter in theirs and (membership_id, b.pk) not in held
        ]
        if open_badges:
            wanted[membership_id] = open_badges
    values: dict[tuple[int, str], int] = {}
    by_counter: dict[str, set[int]] = {}
    for membership_id, open_badges in wanted.items():
        for badge in open_badges:
            by_counter.setdefault(badge.counter, set()).add(membership_id)
    for counter, ids in by_counter.items():
        if counter == POINTS:
            rows = scoped(PointTotal, organization_id).filter(membership_id__in=ids, period="all")
            found = dict(rows.values_list("membership_id", "points"))
        else:
            grouped = (
                scoped(PointEntry, organization_id)
                .filter(membership_id__in=ids, rule=counter, adjusts__isnull=True)
                .order_by()
                .values("membership_id")
                .annotate(
                    awards=Sum("count", filter=Q(reverses__isnull=True)),
                    reversals=Sum("count", filter=Q(reverses__isnull=False)),
                )
            )
            found = {
                row["membership_id"]: int(row["awards"] or 0) - int(row["reversals"] or 0)
                for row in grouped
            }
        for membership_id in ids:
            values[(membership_id, counter)] = found.get(membership_id, 0)
    earned = []
    for membership_id, open_badges in wanted.items():
        for badge in open_badges:
            if values[(membership_id, badge.counter)] >= badge.threshold:
                award = _earn(badge, membership_id, at)
                if award is not None:
                    earned.append(award)
    return earned


def badges_check_entry(entry: PointEntry) -> list[BadgeAward]:
    """Right after a ledger entry, in its transaction (see the module for the cost). A
    reversal or a correction earns nothing; a badge once earned is never taken back."""
    if entry.reverses_id or entry.adjusts_id:
        return []
    counters = {entry.rule}
    if entry.lifetime > 0:
        counters.add(POINTS)
    return badges_check(
        organization_id=entry.organization_id,
        membership_id=entry.membership_id,
        counters=counters,
        at=clock.now(),
    )


def on_session_coached(*, organization_id: int, coach_id: int | None) -> list[BadgeAward]:
    """The coach of a session marked its attendance: the speaker badge (once)."""
    if coach_id is None:
        return []
    badges_ensure_defaults(organization_id=organization_id)
    earned = []
    for badge in scoped(Badge, organization_id).filter(
        active=True, counter=SESSIONS_COACHED, threshold__lte=1
    ):
        if award := _earn(badge, coach_id, clock.now()):
            earned.append(award)
    return earned


def month_close(*, organization_id: int, month: dt.date) -> int:
    """Award "top 10 of the month" for `month` (its first day) to the ten people with the
    most points (ties at the tenth place included; the hidden too: hiding is about what
    others see). Claimed once per organization and month: running it again does nothing.
    Returns how many badges were awarded now."""
    month = month.replace(day=1)
    with transaction.atomic():
        try:
            with transaction.atomic():
                MonthClosed.objects.create(
                    organization_id=organization_id, month=month, closed_at=clock.now()
                )
        except IntegrityError:
            return 0
        badges_ensure_defaults(organization_id=organization_id)
        badges = list(scoped(Badge, organization_id).filter(active=True, counter=MONTHLY_TOP))
        if not badges:
            return 0
        eligible = (
            scoped(PointTotal, organization_id)
            .filter(period="month", start=month, points__gt=0, membership__is_active=True)
            .exclude(
                membership__ambassador__opted_in=False,
                membership__ambassador__opted_out_at__isnull=False,
            )
        )
        top = list(eligible.order_by("-points").values_list("points", flat=True)[:TOP_SIZE])
        if not top:
            return 0
        winners = list(
            eligible.filter(points__gte=top[-1])
            .order_by("-points", "membership_id")
            .values_list("membership_id", flat=True)
        )
        at = clock.now()
        done = 0
        for badge in badges:
            for membership_id in winners:
                if _earn(badge, membership_id, at):
                    done += 1
        return done


def badge_create(
    *,
    actor: Membership,
    name: str,
    description: str,
    counter: str,
    threshold: int,
    shape: str,
    color: str,
) -> Badge:
    """An administrator's own badge: `counter` (a rule's events or points) from
    `threshold`. Who already qualifies earns it with their next entry of that counter."""
    require(actor, "recognition.challenges")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the badge a name.")]
    if counter not in dict(CUSTOM_COUNTERS):
        errors["counter"] = [_("Choose what the badge counts.")]
    if not 1 <= threshold <= MAX_THRESHOLD:
        errors["threshold"] = [_("Between 1 and 1,000,000.")]
    if shape not in BadgeShape.values:
        errors["shape"] = [_("Choose a shape.")]
    if color not in BadgeColor.values:
        errors["color"] = [_("Choose a colour.")]
    if errors:
        raise DomainError(_("Some values are not valid."), field_errors=errors)
    return Badge.objects.create(
        organization_id=actor.organization_id,
        name=name.strip()[:80],
        description=description.strip()[:200],
        counter=counter,
        threshold=threshold,
        shape=shape,
        color=color,
        created_by=actor,
        created_at=clock.now(),
    )


@transaction.atomic
def badge_set_active(*, actor: Membership, badge_id: int, active: bool) -> Badge:
    """Retire a badge (nobody earns it any more; who holds it keeps it) or bring it back."""
    require(actor, "recognition.challenges")
    badge = get_scoped(Badge.objects.select_for_update(), actor.organization_id, pk=badge_id)
    if badge.active != active:
        badge.active = active
        badge.save(update_fields=["active"])
    return badge


def months_close_due(*, now: dt.datetime | None = None) -> int:
    """Close the month before the current one (local time) in every organization that had
    points in it and has not closed it yet: the periodic task, safe to run any number of
    times. Returns how many badges were awarded."""
    today = local_day(now or clock.now())
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    closed = MonthClosed.objects.filter(month=previous).values("organization_id")
    organizations = (
        PointTotal.objects.filter(period="month", start=previous, points__gt=0)
        .exclude(organization_id__in=closed)
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by("organization_id")
    )
    return sum(
        month_close(organization_id=organization_id, month=previous)
        for organization_id in list(organizations)
    )
