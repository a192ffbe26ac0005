"""The vigilance inbox's writes beside the status (decision 0027): assigning a mention to a
colleague who reads the inbox (`listening.view`, audited), and the organization's spike
thresholds (`listening.manage`, audited)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.accounts.roles import ROLE_ACTIONS
from portevoix.core import clock
from portevoix.core import signals as core_signals
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from .models import DEFAULT_RETENTION_DAYS, ListeningPolicy, Mention

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portevoix.accounts.models import Membership

FACTOR_RANGE = (1.5, 20.0)
MINIMUM_RANGE = (1, 100_000)
RISE_RANGE = (5, 100)


def listeners(organization_id: int) -> QuerySet[Membership]:
    """The active members who read the inbox (`listening.view`): whom a mention may be
    assigned to."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if "listening.view" in actions]
    return account_selectors.active_members_with_roles(organization_id=organization_id, roles=roles)


def mention_assign(*, actor: Membership, mention: Mention, assignee_id: int | None) -> Mention:
    """Give the mention to a colleague who reads the inbox (None: to nobody)."""
    require(actor, "listening.view", mention)
    if (
        assignee_id is not None
        and not listeners(actor.organization_id).filter(pk=assignee_id).exists()
    ):
        raise DomainError(
            _("Assign the mention to someone who reads the inbox."),
            field_errors={"assignee": []},
        )
    with transaction.atomic():
        mention = scoped(Mention, actor.organization_id).select_for_update().get(pk=mention.pk)
        before = mention.assignee_id
        if before != assignee_id:
            mention.assignee_id = assignee_id
            mention.save(update_fields=["assignee"])
            _audit(
                actor,
                "listening.mention_assigned",
                "listening_mention",
                mention.pk,
                {"assignee": before},
                {"assignee": assignee_id},
            )
            if assignee_id is not None and assignee_id != actor.pk:
                _tell_assignee(actor, mention, assignee_id)
    return mention


def _tell_assignee(actor: Membership, mention: Mention, assignee_id: int) -> None:
    """Once the assignment is kept, the assignee hears of it (in-app, by the usual rules);
    the key names this assignment so a retry never tells twice, a later one tells again."""
    data = {
        "organization_id": actor.organization_id,
        "mention_id": mention.pk,
        "assignee_id": assignee_id,
        "key": f"listening-assign:{mention.pk}:{assignee_id}:{int(clock.now().timestamp())}",
        "actor_name": actor.user.display_name,
        "excerpt": mention.text[:140],
        "inbox_path": reverse("listening:inbox") + "?mine=1&status=",
    }
    transaction.on_commit(
        lambda: core_signals.listening_mention_assigned.send(sender=Mention, **data)
    )


@dataclass(frozen=True)
class AlertSettings:
    spike_factor: float
    spike_minimum: int
    negative_rise: int  # points of percentage
    negative_minimum: int


def alert_settings(organization_id: int) -> AlertSettings:
    policy = scoped(ListeningPolicy, organization_id).first() or ListeningPolicy()
    return AlertSettings(
        policy.spike_factor, policy.spike_minimum, policy.negative_rise, policy.negative_minimum
    )


def _clean(settings: AlertSettings) -> AlertSettings:
    errors: dict[str, list[str]] = {}
    if not FACTOR_RANGE[0] <= settings.spike_factor <= FACTOR_RANGE[1]:
        errors["spike_factor"] = [
            _("Between %(low)s and %(high)s times.") % {"low": 1.5, "high": 20}
        ]
    for name in ("spike_minimum", "negative_minimum"):
        if not MINIMUM_RANGE[0] <= getattr(settings, name) <= MINIMUM_RANGE[1]:
            errors[name] = [_("At least 1 mention.")]
    if not RISE_RANGE[0] <= settings.negative_rise <= RISE_RANGE[1]:
        errors["negative_rise"] = [_("Between 5 and 100 points.")]
    if errors:
        raise DomainError(_("The alert thresholds have errors."), field_errors=errors)
    return AlertSettings(
        round(float(settings.spike_factor), 2),
        int(settings.spike_minimum),
        int(settings.negative_rise),
        int(settings.negative_minimum),
    )


def alert_settings_set(*, actor: Membership, settings: AlertSettings) -> ListeningPolicy:
    require(actor, "listening.manage")
    settings = _clean(settings)
    with transaction.atomic():
        policy, _created = ListeningPolicy.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id,
            defaults={"retention_days": DEFAULT_RETENTION_DAYS, "updated_at": clock.now()},
        )
        before = asdict(alert_settings(actor.organization_id))
        after = asdict(settings)
        if before != after:
            for name, value in after.items():
                setattr(policy, name, value)
            policy.updated_at = clock.now()
            policy.save(update_fields=[*after, "updated_at"])
            _audit(actor, "listening.alerts_changed", "listening_policy", policy.pk, before, after)
    return policy


def _audit(
    actor: Membership,
    action: str,
    object_type: str,
    object_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    gates.audit_record(
        organization=actor.organization_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
