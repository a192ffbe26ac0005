"""Reads of challenges: the list with each one's progress (the counter on the row: no
count), one challenge with its participants as each chose to appear (the hidden never
listed, except to themselves), and the viewer's own score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portevoix.accounts import selectors as accounts_selectors
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import scoped

from ..models import Challenge, ChallengeParticipant, ChallengeScope

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PARTICIPANTS_SHOWN = 20
FINISHED_SHOWN = 20


@dataclass
class ChallengeRow:
    challenge: Challenge
    status: str  # "upcoming", "running", "finished"
    percent: int
    my_score: int = 0
    qualified: bool = False
    scope_name: str = ""


@dataclass
class ParticipantRow:
    rank: int
    name: str
    score: int
    is_me: bool
    qualified: bool


@dataclass
class ChallengeDetail:
    row: ChallengeRow
    participants: list[ParticipantRow] = field(default_factory=list)
    my_bonus: bool = False


def _status(challenge: Challenge, now: dt.datetime) -> str:
    if now < challenge.starts_at:
        return "upcoming"
    return "running" if now < challenge.ends_at else "finished"


def _row(challenge: Challenge, now: dt.datetime, mine: ChallengeParticipant | None) -> ChallengeRow:
    percent = max(0, min(100, challenge.progress * 100 // max(1, challenge.target)))
    score = mine.score if mine else 0
    return ChallengeRow(
        challenge=challenge,
        status=_status(challenge, now),
        percent=percent,
        my_score=score,
        qualified=score >= max(1, challenge.min_score),
    )


def _scope_names(organization_id: int, challenges: list[Challenge]) -> dict[int, str]:
    teams = accounts_selectors.team_names(
        organization_id=organization_id,
        team_ids={c.team_id for c in challenges if c.team_id},
    )
    campaigns = content_selectors.campaign_names(
        organization_id=organization_id,
        campaign_ids={c.campaign_id for c in challenges if c.campaign_id},
    )
    names = {}
    for c in challenges:
        if c.scope == ChallengeScope.TEAM:
            names[c.pk] = teams.get(c.team_id or 0, "")
        elif c.scope == ChallengeScope.CAMPAIGN:
            names[c.pk] = campaigns.get(c.campaign_id or 0, "")
    return names


def challenge_list(*, membership: Membership, now: dt.datetime | None = None) -> list[ChallengeRow]:
    """Running and upcoming challenges, then the latest finished ones, with the viewer's
    score in each. Four queries whatever their number."""
    now = now or clock.now()
    organization_id = membership.organization_id
    qs = scoped(Challenge, organization_id)
    current = list(qs.filter(ends_at__gt=now).order_by("ends_at", "pk"))
    finished = list(qs.filter(ends_at__lte=now).order_by("-ends_at", "-pk")[:FINISHED_SHOWN])
    found = current + finished
    mine = {
        p.challenge_id: p
        for p in scoped(ChallengeParticipant, organization_id).filter(
            membership_id=membership.pk, challenge_id__in=[c.pk for c in found]
        )
    }
    names = _scope_names(organization_id, found)
    rows = []
    for challenge in found:
        row = _row(challenge, now, mine.get(challenge.pk))
        row.scope_name = names.get(challenge.pk, "")
        rows.append(row)
    return rows


def challenge_detail(
    *, membership: Membership, pk: int, now: dt.datetime | None = None
) -> ChallengeDetail:
    """One challenge of the member's organization (`NotFound` for another's): progress,
    the top participants as they chose to appear, and the viewer's own line."""
    now = now or clock.now()
    organization_id = membership.organization_id
    challenge = scoped(Challenge, organization_id).filter(pk=pk).first()
    if challenge is None:
        raise NotFound("Not found.")
    participants = scoped(ChallengeParticipant, organization_id).filter(
        challenge_id=challenge.pk, score__gt=0
    )
    mine = participants.filter(membership_id=membership.pk).first()
    row = _row(challenge, now, mine)
    row.scope_name = _scope_names(organization_id, [challenge]).get(challenge.pk, "")
    default = accounts_selectors.default_visibility(organization_id)
    shown = (
        participants.filter(accounts_selectors.visible_q(default=default))
        .filter(membership__is_active=True)
        .select_related("membership__user", "membership__ambassador")
        .order_by("-score", "membership_id")[:PARTICIPANTS_SHOWN]
    )
    threshold = max(1, challenge.min_score)
    rows: list[ParticipantRow] = []
    for position, participant in enumerate(shown, start=1):
        name = accounts_selectors.public_name_of(participant.membership, default)
        if name.hidden:
            continue
        rank = rows[-1].rank if rows and rows[-1].score == participant.score else position
        rows.append(
            ParticipantRow(
                rank=rank,
                name=name.name,
                score=participant.score,
                is_me=participant.membership_id == membership.pk,
                qualified=participant.score >= threshold,
            )
        )
    return ChallengeDetail(
        row=row, participants=rows, my_bonus=bool(mine and mine.bonus_at is not None)
    )


def challenge_form_choices(
    *, membership: Membership
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(teams, campaigns) of the organization for the challenge form."""
    teams = [
        (t.pk, t.name)
        for t in accounts_selectors.organization_teams(organization_id=membership.organization_id)
    ]
    campaigns = [(c.pk, c.name) for c in content_selectors.campaigns(membership=membership)]
    return teams, campaigns


def running_challenges(*, organization_id: int, now: dt.datetime | None = None) -> list[Challenge]:
    """The organization's challenges running now (started, not ended), oldest start first:
    what the Slack and Teams channels report the progress of."""
    now = now or clock.now()
    return list(
        scoped(Challenge, organization_id)
        .filter(starts_at__lte=now, ends_at__gt=now)
        .order_by("starts_at", "pk")
    )
