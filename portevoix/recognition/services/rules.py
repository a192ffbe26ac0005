"""The organization's point rules: defaults, the rule in force at a moment, changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped

from ..models import PointRule, RuleCode

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The defaults are in force from the start of time: every organization has them.
DEFAULTS_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class RuleDefault:
    points: int
    daily_cap: int = 0
    network_daily_cap: int = 0


# Outcomes (clicks, comments, conversions, accepted ideas) weigh more than activity (a
# share), and activity is capped so that volume does not win: a "hi" post is worth little.
DEFAULT_RULES: dict[str, RuleDefault] = {
    RuleCode.SHARE: RuleDefault(points=2, daily_cap=10, network_daily_cap=6),
    RuleCode.ORIGINAL_POST: RuleDefault(points=3, daily_cap=9, network_daily_cap=6),
    RuleCode.CLICK: RuleDefault(points=1, daily_cap=50, network_daily_cap=30),
    RuleCode.LIKE: RuleDefault(points=1, daily_cap=30, network_daily_cap=20),
    RuleCode.REPOST: RuleDefault(points=3, daily_cap=45, network_daily_cap=30),
    RuleCode.COMMENT: RuleDefault(points=5, daily_cap=60, network_daily_cap=40),
    RuleCode.CONVERSION: RuleDefault(points=20, daily_cap=200),
    RuleCode.COURSE_PASSED: RuleDefault(points=15),
    RuleCode.EVENT_ATTENDED: RuleDefault(points=10),
    RuleCode.IDEA_ACCEPTED: RuleDefault(points=25),
    RuleCode.SURVEY_ANSWERED: RuleDefault(points=3),
}


def rules_ensure_defaults(*, organization_id: int) -> None:
    """Create the default rules of an organization if it has none (safe under concurrency:
    a second writer inserts nothing)."""
    if scoped(PointRule, organization_id).exists():
        return
    PointRule.objects.bulk_create(
        [
            PointRule(
                organization_id=organization_id,
                code=code,
                points=default.points,
                daily_cap=default.daily_cap,
                network_daily_cap=default.network_daily_cap,
                valid_from=DEFAULTS_FROM,
            )
            for code, default in DEFAULT_RULES.items()
        ],
        ignore_conflicts=True,
    )


# The versions of an organization's rules, cached (one cache read per award instead of two
# queries); forgotten when a rule is written (`rules_forget`, on every save and delete).
RULES_CACHE_S = 600


def _cache_key(organization_id: int) -> str:
    return f"recognition:rules:{organization_id}"


def rules_forget(organization_id: int) -> None:
    """Drop the cached rules of the organization, now and once the transaction commits (a
    reader in between may have cached the versions it saw)."""
    key = _cache_key(organization_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def rule_versions(*, organization_id: int) -> dict[str, list[PointRule]]:
    """{code: its versions, newest first} of the organization (the defaults created on the
    first call), from the cache when there."""
    key = _cache_key(organization_id)
    versions: dict[str, list[PointRule]] | None = cache.get(key)
    if versions is None:
        rules_ensure_defaults(organization_id=organization_id)
        versions = {}
        for rule in scoped(PointRule, organization_id).order_by("-valid_from", "-pk"):
            versions.setdefault(rule.code, []).append(rule)
        cache.set(key, versions, RULES_CACHE_S)
    return versions


def rule_at(*, organization_id: int, code: str, at: dt.datetime) -> PointRule | None:
    """The rule of `code` in force at `at` (the latest version from before it), or None: an
    event is valued by the rule as it stood when it happened."""
    versions = rule_versions(organization_id=organization_id).get(code, [])
    return next((rule for rule in versions if rule.valid_from <= at), None)


@transaction.atomic
def rule_set(
    *,
    actor: Membership,
    code: str,
    points: int,
    daily_cap: int,
    network_daily_cap: int,
    active: bool,
) -> PointRule:
    """A new version of the rule `code`, in force from now on (events before keep their
    value). Needs `recognition.manage`."""
    require(actor, "recognition.manage")
    if code not in RuleCode.values:
        raise DomainError(_("Unknown rule."), field_errors={"code": [_("Unknown rule.")]})
    errors: dict[str, list[str]] = {}
    if not 0 <= points <= 1000:
        errors["points"] = [_("Between 0 and 1,000.")]
    for name, value in (("daily_cap", daily_cap), ("network_daily_cap", network_daily_cap)):
        if not 0 <= value <= 100_000:
            errors[name] = [_("Between 0 and 100,000.")]
    if errors:
        raise DomainError(_("Some values are not valid."), field_errors=errors)
    rules_ensure_defaults(organization_id=actor.organization_id)
    return PointRule.objects.create(
        organization_id=actor.organization_id,
        code=code,
        points=points,
        daily_cap=daily_cap,
        network_daily_cap=network_daily_cap,
        active=active,
        valid_from=clock.now(),
        created_by=actor,
    )


@dataclass(frozen=True)
class RuleData:
    code: str
    points: int
    daily_cap: int
    network_daily_cap: int
    active: bool


@transaction.atomic
def rules_update(*, actor: Membership, rules: list[RuleData]) -> int:
    """Save the rules page: a new version of each rule that changed (from now on; what was
    earned keeps its value). Returns how many changed. Needs `recognition.manage`."""
    require(actor, "recognition.manage")
    rules_ensure_defaults(organization_id=actor.organization_id)
    now = clock.now()
    current: dict[str, PointRule] = {}
    rows = scoped(PointRule, actor.organization_id).filter(valid_from__lte=now)
    for rule in rows.order_by("valid_from"):
        current[rule.code] = rule
    changed = 0
    for data in rules:
        before = current.get(data.code)
        same = before is not None and (
            before.points,
            before.daily_cap,
            before.network_daily_cap,
            before.active,
        ) == (data.points, data.daily_cap, data.network_daily_cap, data.active)
        if same:
            continue
        rule_set(
            actor=actor,
            code=data.code,
            points=data.points,
            daily_cap=data.daily_cap,
            network_daily_cap=data.network_daily_cap,
            active=data.active,
        )
        changed += 1
    return changed
