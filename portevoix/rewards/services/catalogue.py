"""The catalogue and the organization's reward settings (an administrator's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from ..models import Reward, RewardKind, RewardSettings

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_COST = 1_000_000


def settings_of(organization_id: int) -> RewardSettings:
    """The organization's settings row, created with the defaults on first use."""
    row = scoped(RewardSettings, organization_id).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return RewardSettings.objects.create(organization_id=organization_id)
    except IntegrityError:
        return scoped(RewardSettings, organization_id).get()


@dataclass(frozen=True)
class SettingsData:
    monthly_budget: int | None
    first_needs_approval: bool
    of_value: bool
    disclosure: str


def settings_update(*, actor: Membership, data: SettingsData) -> RewardSettings:
    require(actor, "rewards.manage")
    disclosure = " ".join(data.disclosure.split())
    if data.of_value and not disclosure:
        message = _("Give the disclosure that shares must carry.")
        raise DomainError(message, field_errors={"disclosure": [message]})
    with transaction.atomic():
        row = settings_of(actor.organization_id)
        row = scoped(RewardSettings, actor.organization_id).select_for_update().get(pk=row.pk)
        before = _settings_dict(row)
        row.monthly_budget = data.monthly_budget
        row.first_needs_approval = data.first_needs_approval
        row.of_value = data.of_value
        row.disclosure = disclosure[:60]
        row.save(update_fields=["monthly_budget", "first_needs_approval", "of_value", "disclosure"])
        gates.audit_record(
            organization=actor.organization,
            actor=actor,
            action="rewards.settings",
            object_type="rewards.settings",
            object_id=row.pk,
            before=before,
            after=_settings_dict(row),
        )
    return row


def _settings_dict(row: RewardSettings) -> dict[str, object]:
    return {
        "monthly_budget": row.monthly_budget,
        "first_needs_approval": row.first_needs_approval,
        "of_value": row.of_value,
        "disclosure": row.disclosure,
    }


@dataclass(frozen=True)
class RewardData:
    kind: str
    title: str
    cost: int
    description: str = ""
    stock: int | None = None
    team_ids: list[int] = field(default_factory=list)
    active: bool = True


def _check(actor: Membership, data: RewardData) -> None:
    errors: dict[str, list[str]] = {}
    if data.kind not in RewardKind.values:
        errors["kind"] = [_("Choose a kind of reward.")]
    if not data.title.strip():
        errors["title"] = [_("Give the reward a title.")]
    if not 1 <= data.cost <= MAX_COST:
        errors["cost"] = [_("The cost is between 1 and %(max)s points.") % {"max": MAX_COST}]
    if data.stock is not None and data.stock < 0:
        errors["stock"] = [_("The stock cannot be negative.")]
    for team_id in data.team_ids:
        if not account_selectors.team_exists(
            organization_id=actor.organization_id, team_id=team_id
        ):
            errors["team_ids"] = [_("Unknown team.")]
    if errors:
        raise DomainError(_("Check the reward."), field_errors=errors)


def reward_save(*, actor: Membership, data: RewardData, pk: int | None = None) -> Reward:
    """Create a reward, or change the reward `pk` (its stock included: the count of what is
    left). Redemptions already asked for keep the cost of their time."""
    require(actor, "rewards.manage")
    _check(actor, data)
    with transaction.atomic():
        if pk is None:
            reward = Reward(organization_id=actor.organization_id, created_at=clock.now())
            before = None
        else:
            reward = get_scoped(
                scoped(Reward, actor.organization_id).select_for_update(),
                actor.organization_id,
                pk=pk,
            )
            before = {"title": reward.title, "cost": reward.cost, "stock": reward.stock}
        reward.kind = data.kind
        reward.title = data.title.strip()[:200]
        reward.description = data.description.strip()
        reward.cost = data.cost
        reward.stock = data.stock
        reward.active = data.active
        reward.save()
        reward.teams.set(sorted(set(data.team_ids)))
        gates.audit_record(
            organization=actor.organization,
            actor=actor,
            action="rewards.reward_save",
            object_type="rewards.reward",
            object_id=reward.pk,
            before=before,
            after={"title": reward.title, "cost": reward.cost, "stock": reward.stock},
        )
    return reward
