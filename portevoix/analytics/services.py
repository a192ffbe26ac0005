"""Writes of analytics outside the rollups: goals (set, change, archive) and the periodic
check that records a goal reached, once, and announces it on commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.erasure import ErasedPerson
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from . import signals
from .models import Goal, GoalMetricCode, InsightSettings, ReportDelivery
from .selectors import goals as goal_selectors
from .selectors import kpis as kpi_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_TARGET = Decimal("1000000000000")
MAX_DAYS = 3 * 366
FIELDS = [
    "name",
    "metric",
    "target",
    "start",
    "deadline",
    "campaign",
    "team",
    "visible_to_ambassadors",
]


@dataclass(frozen=True)
class GoalData:
    name: str
    metric: str
    target: Decimal
    start: dt.date
    deadline: dt.date
    campaign_id: int | None = None
    team_id: int | None = None
    visible_to_ambassadors: bool = False


def _fail(field: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field: [message]})


def _check(actor: Membership, data: GoalData) -> GoalData:
    """The data made clean, or a DomainError naming the field. A campaign or team of
    another organization is NotFound (404)."""
    name = " ".join(data.name.split())
    if not name:
        raise _fail("name", _("Give the goal a name."))
    if data.metric not in GoalMetricCode.values:
        raise _fail("metric", _("Choose a figure."))
    if not Decimal(0) < data.target <= MAX_TARGET:
        raise _fail("target", _("The target must be a positive number."))
    if data.metric == GoalMetricCode.ENGAGEMENT_RATE and data.target > 100:
        raise _fail("target", _("An engagement rate is a percentage: at most 100."))
    if data.deadline < data.start:
        raise _fail("deadline", _("The deadline is before the start."))
    if (data.deadline - data.start).days >= MAX_DAYS:
        raise _fail("deadline", _("A goal lasts at most %(days)s days.") % {"days": MAX_DAYS})
    if data.campaign_id is not None and data.team_id is not None:
        raise _fail("team", _("Choose a campaign or a team, not both."))
    org = actor.organization_id
    if data.campaign_id is not None:
        if not content_selectors.campaign_exists(organization_id=org, campaign_id=data.campaign_id):
            raise NotFound("No such campaign.")
        if data.metric not in goal_selectors.CAMPAIGN_METRICS:
            raise _fail(
                "campaign",
                _(
                    "Ideas and certificates belong to no campaign: "
                    "choose the organization or a team."
                ),
            )
    if data.team_id is not None and not account_selectors.team_exists(
        organization_id=org, team_id=data.team_id
    ):
        raise NotFound("No such team.")
    return GoalData(
        name[:200],
        data.metric,
        data.target.quantize(Decimal("0.01")),
        data.start,
        data.deadline,
        data.campaign_id,
        data.team_id,
        data.visible_to_ambassadors,
    )


def _as_dict(goal: Goal) -> dict[str, Any]:
    return {
        "name": goal.name,
        "metric": goal.metric,
        "target": str(goal.target),
        "start": goal.start.isoformat(),
        "deadline": goal.deadline.isoformat(),
        "campaign_id": goal.campaign_id,
        "team_id": goal.team_id,
        "visible_to_ambassadors": goal.visible_to_ambassadors,
    }


def _apply(goal: Goal, data: GoalData) -> None:
    goal.name = data.name
    goal.metric = data.metric
    goal.target = data.target
    goal.start = data.start
    goal.deadline = data.deadline
    goal.campaign_id = data.campaign_id
    goal.team_id = data.team_id
    goal.visible_to_ambassadors = data.visible_to_ambassadors


def _audit(actor: Membership, goal: Goal, action: str, before: dict[str, Any] | None) -> None:
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action=action,
        object_type="analytics.goal",
        object_id=goal.pk,
        before=before,
        after=_as_dict(goal) if action != "analytics.goal_archived" else None,
    )


def goal_create(*, actor: Membership, data: GoalData) -> Goal:
    require(actor, "goal.manage")
    data = _check(actor, data)
    now = clock.now()
    with transaction.atomic():
        goal = Goal(
            organization_id=actor.organization_id,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _apply(goal, data)
        goal.save()
        _audit(actor, goal, "analytics.goal_set", None)
    return goal


def _open_goal_locked(organization_id: int, goal_id: int) -> Goal:
    """The organization's goal, not archived, locked for the transaction (NotFound else)."""
    goal = (
        scoped(Goal, organization_id)
        .select_for_update()
        .filter(pk=goal_id, archived_at__isnull=True)
        .first()
    )
    if goal is None:
        raise NotFound("No such goal.")
    return goal


def goal_update(*, actor: Membership, goal_id: int, data: GoalData) -> Goal:
    """Change a goal. A goal already reached keeps its reaching (and its announcement) unless
    its figure, scope or target changes: then it is checked again from scratch."""
    require(actor, "goal.manage")
    data = _check(actor, data)
    with transaction.atomic():
        goal = _open_goal_locked(actor.organization_id, goal_id)
        before = _as_dict(goal)
        _apply(goal, data)
        goal.updated_at = clock.now()
        fields = [*FIELDS, "updated_at"]
        after = _as_dict(goal)
        measured = ("metric", "target", "start", "deadline", "campaign_id", "team_id")
        if goal.reached_at is not None and any(before[k] != after[k] for k in measured):
            goal.reached_at = None
            goal.reached_value = None
            fields += ["reached_at", "reached_value"]
        goal.save(update_fields=fields)
        _audit(actor, goal, "analytics.goal_changed", before)
    return goal


def goal_archive(*, actor: Membership, goal_id: int) -> Goal:
    require(actor, "goal.manage")
    with transaction.atomic():
        goal = _open_goal_locked(actor.organization_id, goal_id)
        before = _as_dict(goal)
        goal.archived_at = clock.now()
        goal.save(update_fields=["archived_at"])
        _audit(actor, goal, "analytics.goal_archived", before)
    return goal


def goal_check(*, organization_id: int, goal_id: int, on: dt.date | None = None) -> bool:
    """Record that the goal reached its target, if it did and was not recorded yet; the
    announcement (`signals.goal_reached`) goes out once, after the commit. True when this
    call recorded it. Safe to run any number of times, by any number of workers."""
    goal = scoped(Goal, organization_id).filter(pk=goal_id, archived_at__isnull=True).first()
    if goal is None or goal.reached_at is not None:
        return False
    day = on or goal_selectors.today()
    if day < goal.start:
        return False
    value = goal_selectors.measure(goal, min(day, goal.deadline))
    if value is None or value < goal.target:
        return False
    with transaction.atomic():
        claimed = (
            scoped(Goal, organization_id)
            .filter(pk=goal_id, reached_at__isnull=True, archived_at__isnull=True)
            .update(reached_at=clock.now(), reached_value=value)
        )
        if claimed:
            transaction.on_commit(
                lambda: signals.goal_reached.send(
                    sender=Goal, organization_id=organization_id, goal_id=goal_id
                )
            )
    return bool(claimed)


def goals_check(*, on: dt.date | None = None) -> int:
    """Check every open goal of every organization (the periodic task); the number reached."""
    day = on or goal_selectors.today()
    reached = 0
    for organization_id, goal_id in goal_selectors.open_goal_ids(on=day):
        reached += goal_check(organization_id=organization_id, goal_id=goal_id, on=day)
    return reached


# --- The KPIs' settings: the EMV formula and the content mix target


@dataclass(frozen=True)
class InsightData:
    currency: str
    cpm: dict[str, Decimal]
    cpc: Decimal
    per_engagement: Decimal
    mix_target: int


CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD")
MAX_RATE = Decimal("100000")


def insight_settings_update(*, actor: Membership, data: InsightData) -> InsightSettings:
    require(actor, "analytics.settings")
    if data.currency not in CURRENCIES:
        raise _fail("currency", _("Choose a currency."))
    rates = {"cpc": data.cpc, "per_engagement": data.per_engagement}
    rates.update({f"cpm_{network}": value for network, value in data.cpm.items()})
    for field, value in rates.items():
        if not Decimal(0) <= value <= MAX_RATE:
            raise _fail(field, _("A rate is a number from 0 to 100,000."))
    if not 0 <= data.mix_target <= 100:
        raise _fail("mix_target", _("A share is a percentage: from 0 to 100."))
    with transaction.atomic():
        row = kpi_selectors.insight_settings(actor.organization_id)
        row = scoped(InsightSettings, actor.organization_id).select_for_update().get(pk=row.pk)
        before = _insight_dict(row)
        row.currency = data.currency
        row.cpm = {code: str(value.quantize(Decimal("0.01"))) for code, value in data.cpm.items()}
        row.cpc = data.cpc
        row.per_engagement = data.per_engagement
        row.mix_target = data.mix_target
        row.updated_at = clock.now()
        row.save()
        # The dashboard's kept body shows the KPIs (docs/decisions/0036-page-body-cache.md).
        frame.bump_organization(actor.organization_id)
        gates.audit_record(
            organization=actor.organization,
            actor=actor,
            action="analytics.settings",
            object_type="analytics.settings",
            object_id=row.pk,
            before=before,
            after=_insight_dict(row),
        )
    return row


def _insight_dict(row: InsightSettings) -> dict[str, Any]:
    return {
        "currency": row.currency,
        "cpm": dict(row.cpm or {}),
        "cpc": str(row.cpc),
        "per_engagement": str(row.per_engagement),
        "mix_target": row.mix_target,
    }


def member_erase(*, person: ErasedPerson) -> int:
    """A person's erasure, analytics' part (docs/decisions/0022-erasure.md): the record of
    the reports emailed to them goes. Rollups hold ids and figures, no words of anyone:
    they stay as they are, so every total is unchanged. Returns how many rows went."""
    deleted, _rows = (
        scoped(ReportDelivery, person.organization_id)
        .filter(recipient_id=person.membership_id)
        .delete()
    )
    return deleted
