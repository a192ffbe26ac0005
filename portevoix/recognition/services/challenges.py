"""Challenges: a goal over a period, counted by each ledger entry, a bonus once.

Cost per ledger entry (`challenges_count_entry`): one indexed query for the organization's
challenges of the entry's metric running at the entry's time (usually none: done). For
each one that counts it: the scope check (a team: one query on the member's teams; a
campaign: one primary-key query for the share's or link's campaign, once per entry), the
participant's row (one UPDATE, an INSERT the first time) and the challenge's `progress`
(one UPDATE ... SET progress = progress + n, which locks the row until commit, then one
read). The page reads `progress`: a counter kept incrementally, never a count.

The target is reached once: a conditional UPDATE sets `reached_at` only where it is still
empty, under the row lock, so one transaction wins. Each qualifying participant's bonus is
a ledger row keyed "challenge:<id>:<membership id>" (unique per organization): a second
trigger, a replay or a concurrent worker never pays it twice. Who qualifies later, while
the challenge runs, gets it at their qualifying entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Sum, When
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as accounts_selectors
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.sharing import selectors as sharing_selectors

from ..models import (
    Challenge,
    ChallengeMetric,
    ChallengeParticipant,
    ChallengeScope,
    PointEntry,
    RuleCode,
)
from ..periods import local_day
from .badges import badges_check
from .ledger import _add_totals

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

METRIC_OF_RULE: dict[str, str] = {
    RuleCode.SHARE: ChallengeMetric.SHARES,
    RuleCode.ORIGINAL_POST: ChallengeMetric.ORIGINAL_POSTS,
    RuleCode.CLICK: ChallengeMetric.CLICKS,
}
MAX_TARGET = 1_000_000
MAX_BONUS = 10_000


def _delta(entry: PointEntry, metric: str) -> int:
    if metric == ChallengeMetric.POINTS:
        return entry.lifetime
    return -entry.count if entry.reverses_id else entry.count


def _in_scope(challenge: Challenge, entry: PointEntry, campaign: list[int | None]) -> bool:
    if challenge.scope == ChallengeScope.TEAM:
        return bool(
            accounts_selectors.team_member_ids(team_id=challenge.team_id or 0)
            .filter(membership_id=entry.membership_id)
            .exists()
        )
    if challenge.scope == ChallengeScope.CAMPAIGN:
        if not campaign:
            campaign.append(
                sharing_selectors.campaign_of_event(
                    organization_id=entry.organization_id,
                    source_type=entry.source_type,
                    source_id=entry.source_id,
                )
            )
        return campaign[0] is not None and campaign[0] == challenge.campaign_id
    return True


def challenges_count_entry(entry: PointEntry) -> int:
    """Count a new ledger entry (or a reversal) in the running challenges it belongs to, in
    its transaction. Returns how many challenges it moved."""
    if entry.adjusts_id or entry.rule == RuleCode.CHALLENGE_BONUS:
        return 0
    metrics: list[str] = [ChallengeMetric.POINTS]
    if entry.rule in METRIC_OF_RULE:
        metrics.append(METRIC_OF_RULE[entry.rule])
    running = scoped(Challenge, entry.organization_id).filter(
        metric__in=metrics, starts_at__lte=entry.at, ends_at__gt=entry.at
    )
    moved = 0
    campaign: list[int | None] = []
    for challenge in running:
        delta = _delta(entry, challenge.metric)
        if not delta or not _in_scope(challenge, entry, campaign):
            continue
        _count(challenge, entry.membership_id, delta)
        moved += 1
    return moved


def _count(challenge: Challenge, membership_id: int, delta: int) -> None:
    # The challenge's row first (locked until commit), then the participant's: every writer
    # takes them in this order, so two entries never wait on each other in a cycle.
    this = scoped(Challenge, challenge.organization_id).filter(pk=challenge.pk)
    this.update(progress=F("progress") + delta)
    rows = scoped(ChallengeParticipant, challenge.organization_id).filter(
        challenge_id=challenge.pk, membership_id=membership_id
    )
    if not rows.update(score=F("score") + delta):
        try:
            with transaction.atomic():
                ChallengeParticipant.objects.create(
                    organization_id=challenge.organization_id,
                    challenge_id=challenge.pk,
                    membership_id=membership_id,
                    score=delta,
                )
        except IntegrityError:
            rows.update(score=F("score") + delta)
    progress, reached_at = this.values_list("progress", "reached_at").get()
    if reached_at is None and progress >= challenge.target:
        if this.filter(reached_at__isnull=True).update(reached_at=clock.now()):
            # The others' bonuses in their own transactions once this one commits (their
            # totals may be locked by entries waiting for this challenge's row).
            transaction.on_commit(lambda: _queue_bonuses(challenge.pk))
            challenge_pay_bonuses(challenge=challenge, membership_id=membership_id)
    elif reached_at is not None:
        challenge_pay_bonuses(challenge=challenge, membership_id=membership_id)


def _queue_bonuses(challenge_id: int) -> None:
    from ..tasks import pay_challenge_bonuses

    pay_challenge_bonuses(challenge_id)


def challenge_pay_bonuses_by_id(*, challenge_id: int) -> int:
    """The task's entry point: pay what the challenge owes (nothing twice)."""
    challenge = Challenge.objects.filter(pk=challenge_id, reached_at__isnull=False).first()
    return challenge_pay_bonuses(challenge=challenge) if challenge else 0


def _threshold(challenge: Challenge) -> int:
    return max(1, challenge.min_score)


def challenge_pay_bonuses(*, challenge: Challenge, membership_id: int | None = None) -> int:
    """Pay the bonus to each qualifying participant (or to one) who does not have it yet:
    a ledger row keyed per challenge and person, so never twice. Returns how many paid."""
    if not challenge.bonus_points:
        return 0
    organization_id = challenge.organization_id
    qualifying = scoped(ChallengeParticipant, organization_id).filter(
        challenge_id=challenge.pk, score__gte=_threshold(challenge), bonus_at__isnull=True
    )
    if membership_id is not None:
        qualifying = qualifying.filter(membership_id=membership_id)
    now = clock.now()
    day = local_day(now)
    paid = 0
    for participant in qualifying.order_by("membership_id"):
        if _pay(challenge, participant, now, day):
            paid += 1
    return paid


def _pay(
    challenge: Challenge, participant: ChallengeParticipant, now: dt.datetime, day: dt.date
) -> bool:
    """One participant's bonus, in its own (sub)transaction: the keyed ledger row, their
    totals, the participant's mark and the badges counting points."""
    organization_id, points = challenge.organization_id, challenge.bonus_points
    try:
        with transaction.atomic():
            # The person's totals first, as an award takes them before anything of the
            # challenge: a payout never waits in a cycle with that person's entries.
            _add_totals(organization_id, participant.membership_id, day, points, points)
            PointEntry.objects.create(
                organization_id=organization_id,
                membership_id=participant.membership_id,
                rule=RuleCode.CHALLENGE_BONUS,
                lifetime=points,
                spendable=points,
                source_type="challenge",
                source_id=challenge.pk,
                key=f"challenge:{challenge.pk}:{participant.membership_id}",
                at=now,
                day=day,
                created_at=now,
            )
            scoped(ChallengeParticipant, organization_id).filter(pk=participant.pk).update(
                bonus_at=now
            )
            badges_check(
                organization_id=organization_id,
                membership_id=participant.membership_id,
                counters={"points"},
                at=now,
            )
    except IntegrityError:
        return False  # paid already
    return True


@dataclass(frozen=True)
class ChallengeData:
    title: str
    description: str
    metric: str
    target: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    scope: str
    team_id: int | None = None
    campaign_id: int | None = None
    min_score: int = 1
    bonus_points: int = 0


def _validate(actor: Membership, data: ChallengeData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the challenge a title.")]
    if data.metric not in ChallengeMetric.values:
        errors["metric"] = [_("Choose what counts.")]
    if not 1 <= data.target <= MAX_TARGET:
        errors["target"] = [_("Between 1 and 1,000,000.")]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The end comes after the start.")]
    if not 0 <= data.min_score <= MAX_TARGET:
        errors["min_score"] = [_("Between 0 and 1,000,000.")]
    if not 0 <= data.bonus_points <= MAX_BONUS:
        errors["bonus_points"] = [_("Between 0 and 10,000.")]
    org = actor.organization_id
    if data.scope == ChallengeScope.TEAM:
        if not data.team_id or not accounts_selectors.team_exists(
            organization_id=org, team_id=data.team_id
        ):
            errors["team"] = [_("Choose a team.")]
    elif data.scope == ChallengeScope.CAMPAIGN:
        if not data.campaign_id or not content_selectors.campaign_exists(
            organization_id=org, campaign_id=data.campaign_id
        ):
            errors["campaign"] = [_("Choose a campaign.")]
    elif data.scope != ChallengeScope.ORGANIZATION:
        errors["scope"] = [_("Choose who takes part.")]
    return errors


@transaction.atomic
def challenge_create(*, actor: Membership, data: ChallengeData) -> Challenge:
    """A new challenge (`recognition.challenges`: administrators and community managers).
    It counts the events from its start (see `_backfill` for one that started already)."""
    require(actor, "recognition.challenges")
    if errors := _validate(actor, data):
        raise DomainError(_("Some values are not valid."), field_errors=errors)
    challenge = Challenge.objects.create(
        organization_id=actor.organization_id,
        title=data.title.strip()[:120],
        description=data.description.strip()[:500],
        metric=data.metric,
        target=data.target,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        scope=data.scope,
        team_id=data.team_id if data.scope == ChallengeScope.TEAM else None,
        campaign_id=data.campaign_id if data.scope == ChallengeScope.CAMPAIGN else None,
        min_score=data.min_score,
        bonus_points=data.bonus_points,
        created_by=actor,
        created_at=clock.now(),
    )
    _backfill(challenge)
    return challenge


def _backfill(challenge: Challenge) -> None:
    """A challenge that started already counts what the ledger has since its start (the
    organization's or a team's: one grouped query; a campaign's counts from now on, as its
    entries would each need their campaign). Reached already: the bonuses are paid now."""
    now = clock.now()
    if challenge.scope == ChallengeScope.CAMPAIGN or challenge.starts_at >= now:
        return
    organization_id = challenge.organization_id
    entries = (
        scoped(PointEntry, organization_id)
        .filter(at__gte=challenge.starts_at, at__lt=min(challenge.ends_at, now))
        .filter(adjusts__isnull=True)
        .exclude(rule=RuleCode.CHALLENGE_BONUS)
    )
    if challenge.metric == ChallengeMetric.POINTS:
        value: Any = Sum("lifetime")
    else:
        rules = [rule for rule, metric in METRIC_OF_RULE.items() if metric == challenge.metric]
        entries = entries.filter(rule__in=rules)
        value = Sum(Case(When(reverses__isnull=True, then=F("count")), default=-F("count")))
    if challenge.team_id:
        entries = entries.filter(
            membership_id__in=accounts_selectors.team_member_ids(team_id=challenge.team_id)
        )
    scores = {
        m: int(v or 0)
        for m, v in entries.order_by()
        .values("membership_id")
        .annotate(v=value)
        .values_list("membership_id", "v")
    }
    ChallengeParticipant.objects.bulk_create(
        [
            ChallengeParticipant(
                organization_id=organization_id,
                challenge=challenge,
                membership_id=membership_id,
                score=score,
            )
            for membership_id, score in scores.items()
            if score
        ]
    )
    challenge.progress = sum(scores.values())
    challenge.save(update_fields=["progress"])
    if challenge.progress >= challenge.target:
        challenge.reached_at = now
        challenge.save(update_fields=["reached_at"])
        challenge_pay_bonuses(challenge=challenge)
