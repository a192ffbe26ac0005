"""The recount an administrator asks for: the one way a rule reaches back.

Every award since `since` (not reversed) is valued again with the rule in force now, caps
included (per member, rule and day, in the order the events happened); where that differs
from what it is worth today, a correction row is appended (key
"recount:<recount id>:<award key>", `adjusts` the award), never an update. The request is
itself a row: who asked, when, from which day, and what it changed. A second recount with
the same rules changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import DailyUse, PointEntry, PointRecount, PointRule, RuleCode
from .ledger import _add_totals
from .rules import rules_ensure_defaults

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _rules_now(organization_id: int, now: dt.datetime) -> dict[str, PointRule]:
    latest: dict[str, PointRule] = {}
    rows = scoped(PointRule, organization_id).filter(valid_from__lte=now)
    for rule in rows.order_by("valid_from"):
        latest[rule.code] = rule
    return latest


def _value(rule: PointRule | None, count: int, used: int, used_network: int) -> int:
    if rule is None or not rule.active:
        return 0
    value = rule.points * count
    if rule.daily_cap:
        value = min(value, max(0, rule.daily_cap - used))
    if rule.network_daily_cap:
        value = min(value, max(0, rule.network_daily_cap - used_network))
    return value


@transaction.atomic
def points_recount(*, actor: Membership, since: dt.date) -> PointRecount:
    """Value again the awards from `since` on with today's rules (see the module)."""
    require(actor, "recognition.manage")
    organization_id = actor.organization_id
    rules_ensure_defaults(organization_id=organization_id)
    now = clock.now()
    recount = PointRecount.objects.create(
        organization_id=organization_id, requested_by=actor, requested_at=now, since=since
    )
    rules = _rules_now(organization_id, now)
    entries = scoped(PointEntry, organization_id).filter(day__gte=since)
    reversed_ids = set(entries.filter(reverses__isnull=False).values_list("reverses_id", flat=True))
    corrections: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for adjusts_id, lifetime, spendable in entries.filter(adjusts__isnull=False).values_list(
        "adjusts_id", "lifetime", "spendable"
    ):
        before = corrections[adjusts_id]
        corrections[adjusts_id] = (before[0] + lifetime, before[1] + spendable)
    awards = (
        entries.filter(reverses__isnull=True, adjusts__isnull=True)
        .exclude(pk__in=reversed_ids)
        .exclude(rule=RuleCode.CHALLENGE_BONUS)  # a challenge's bonus has no rule to revalue
        .order_by("membership_id", "rule", "day", "at", "id")
    )
    used: dict[tuple[int, str, dt.date, str], int] = defaultdict(int)
    for award in awards:
        everywhere = (award.membership_id, award.rule, award.day, "")
        on_network = (award.membership_id, award.rule, award.day, award.network)
        target = _value(
            rules.get(award.rule),
            award.count,
            used[everywhere],
            used[on_network] if award.network else 0,
        )
        used[everywhere] += target
        if award.network:
            used[on_network] += target
        correction = corrections[award.pk]
        lifetime = award.lifetime + correction[0]
        delta = target - lifetime
        if not delta:
            continue
        PointEntry.objects.create(
            organization_id=organization_id,
            membership_id=award.membership_id,
            rule=award.rule,
            lifetime=delta,
            spendable=delta,
            source_type=award.source_type,
            source_id=award.source_id,
            network=award.network,
            key=f"recount:{recount.pk}:{award.key}",
            at=award.at,
            day=award.day,
            created_at=now,
            adjusts=award,
            count=award.count,
        )
        _add_totals(organization_id, award.membership_id, award.day, delta, delta)
        recount.entries_changed += 1
        recount.points_delta += delta
    # The caps of the days recounted now count what those days are worth.
    for (membership_id, rule, day, network), points in used.items():
        if network and not (rules.get(rule) and rules[rule].network_daily_cap):
            continue
        scoped(DailyUse, organization_id).update_or_create(
            membership_id=membership_id,
            rule=rule,
            day=day,
            network=network,
            defaults={"points": points, "organization_id": organization_id},
        )
    recount.save(update_fields=["entries_changed", "points_delta"])
    return recount
