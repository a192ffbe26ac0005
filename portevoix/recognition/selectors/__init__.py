"""Reads of recognition: the boards (top of a period, for the organization or a team, and
the teams by average), a person's standing and recent entries, the rules, the choices.

Boards read `PointTotal` (one row per member and period, kept by the ledger), never the
ledger itself. Who chose "not at all" is filtered out in SQL, so they reach no board, export
or API answer; their own page still shows them their points and rank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import ngettext

from portevoix.accounts import selectors as accounts_selectors
from portevoix.accounts.permissions import can
from portevoix.core import clock
from portevoix.core.context_processors import NavBadge
from portevoix.core.tenancy import scoped

from ..models import (
    FairPlayFlag,
    FlagStatus,
    PointEntry,
    PointHistogram,
    PointRecount,
    PointRule,
    PointTotal,
    RuleCode,
)
from ..periods import PERIODS, local_day, period_start
from ..services.rules import DEFAULT_RULES, DEFAULTS_FROM

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

BOARD_SIZE = 50
# A team is ranked only from this many active members: a smaller team's average would tell
# what one person earned.
MIN_TEAM_SIZE = 3


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    points: int
    is_me: bool
    pseudonymous: bool


@dataclass(frozen=True)
class Standing:
    """What a person always sees about themselves, whatever they chose."""

    points: int
    rank: int | None  # None: no points in the period
    visibility: str


@dataclass(frozen=True)
class TeamRow:
    rank: int
    team_id: int
    name: str
    members: int
    points: int
    average: float


def default_visibility(organization_id: int) -> str:
    """How members appear until they choose (the organization's setting, in accounts)."""
    return accounts_selectors.default_visibility(organization_id)


def choice(*, membership: Membership) -> accounts_selectors.VisibilityChoice:
    """The member's choice of how they appear (kept by accounts, for every page)."""
    return accounts_selectors.visibility_choice(membership=membership)


def visibility_of(*, membership: Membership) -> str:
    return choice(membership=membership).visibility


def pseudonym_for(membership_id: int) -> str:
    """A stable pseudonym for someone who did not write one (nothing links it to them)."""
    return accounts_selectors.made_up_pseudonym(membership_id)


def _visible(default: str) -> Q:
    """Who did not choose "not at all" (the organization's `default` for the others)."""
    return accounts_selectors.visible_q(default=default)


def _period(period: str, today: dt.date | None) -> tuple[str, dt.date]:
    if period not in PERIODS:
        period = "month"
    return period, period_start(period, today or local_day(clock.now()))


def _totals(
    organization_id: int, period: str, start: dt.date, team_id: int | None
) -> QuerySet[PointTotal]:
    qs = scoped(PointTotal, organization_id).filter(
        period=period, start=start, membership__is_active=True
    )
    # Who withdrew from the programme leaves the boards (their points stay theirs).
    qs = qs.exclude(
        membership__ambassador__opted_in=False, membership__ambassador__opted_out_at__isnull=False
    )
    if team_id:
        qs = qs.filter(membership_id__in=accounts_selectors.team_member_ids(team_id=team_id))
    return qs


def board(
    *,
    membership: Membership,
    period: str = "month",
    team_id: int | None = None,
    limit: int | None = BOARD_SIZE,
    today: dt.date | None = None,
) -> list[BoardRow]:
    """The top of a period's board (the organization's, or a team's): people with points,
    by points (ties share a rank; then by id), as each chose to appear; the hidden never.
    One query (reading only the columns shown: no model instance per row)."""
    organization_id = membership.organization_id
    period, start = _period(period, today)
    default = default_visibility(organization_id)
    if team_id and limit is not None:
        found = _team_top(organization_id, period, start, team_id, default, limit)
    else:
        qs = _board_rows(organization_id, period, start, team_id, default)
        found = _shown(qs if limit is None else qs[:limit], default)
    rows: list[BoardRow] = []
    previous: tuple[int, int] | None = None
    for position, (member_id, points, shown) in enumerate(found, start=1):
        rank = previous[1] if previous and previous[0] == points else position
        previous = (points, rank)
        rows.append(
            BoardRow(
                rank=rank,
                name=shown.name,
                points=points,
                is_me=member_id == membership.pk,
                pseudonymous=shown.pseudonymous,
            )
        )
    return rows


Shown = tuple[int, int, "accounts_selectors.PublicName"]


def _board_rows(
    organization_id: int, period: str, start: dt.date, team_id: int | None, default: str
) -> QuerySet[Any]:
    """The board's rows in order (points, then id): only the listed (their partial index),
    and of those only who is active, not withdrawn and visible now (the joins: a flag not
    yet set again can never show someone hidden)."""
    return (
        _totals(organization_id, period, start, team_id)
        .filter(points__gt=0, listed=True)
        .filter(_visible(default))
        .order_by("-points", "membership_id")
        .values_list(
            "membership_id",
            "points",
            "membership__user__full_name",
            "membership__user__email",
            "membership__ambassador__visibility",
            "membership__ambassador__pseudonym",
        )
    )


def _shown(rows: Iterable[tuple[Any, ...]], default: str) -> list[Shown]:
    """(id, points, how they appear) of `_board_rows` rows."""
    return [
        (
            member_id,
            points,
            accounts_selectors.public_name_from(
                member_id, full_name, email, chosen or "", pseudonym or "", default
            ),
        )
        for member_id, points, full_name, email, chosen, pseudonym in rows
    ]


# A team of up to this many members is read member by member; a bigger one by walking the
# organization's board until its top is found (about limit x members / team size rows).
TEAM_PROBE_MAX = 1000
TEAM_WALK_CHUNK = 1000


def _team_top(
    organization_id: int, period: str, start: dt.date, team_id: int, default: str, limit: int
) -> list[Shown]:
    """The top `limit` of a team's board, in a few index-ordered reads: a small team member
    by member; a big one by walking the organization's listed rows in board order (ids and
    points only, on their partial index) and keeping the team's, whose names and state are
    then read (and checked: a flag not yet set again never shows anyone) for those only."""
    members = set(
        accounts_selectors.team_member_ids(team_id=team_id).values_list("membership_id", flat=True)
    )
    if len(members) <= TEAM_PROBE_MAX:
        rows = _board_rows(organization_id, period, start, None, default)
        return _shown(rows.filter(membership_id__in=members)[:limit], default)
    ordered = (
        scoped(PointTotal, organization_id)
        .filter(period=period, start=start, listed=True, points__gt=0)
        .order_by("-points", "membership_id")
        .values_list("membership_id", "points")
    )
    found: list[Shown] = []
    last: tuple[int, int] | None = None
    while len(found) < limit:
        if last is None:
            batch = list(ordered[:TEAM_WALK_CHUNK])
        else:
            # After (points, id): the rest of that tie, then lower points (two plain ranges
            # of the index; one OR of both makes SQLite read the whole range).
            batch = list(
                ordered.filter(points=last[0], membership_id__gt=last[1])[:TEAM_WALK_CHUNK]
            )
            if len(batch) < TEAM_WALK_CHUNK:
                batch += ordered.filter(points__lt=last[0])[: TEAM_WALK_CHUNK - len(batch)]
        theirs = [(member_id, points) for member_id, points in batch if member_id in members]
        if theirs:
            ids = [member_id for member_id, _points in theirs]
            names = accounts_selectors.public_names(
                organization_id=organization_id, membership_ids=ids
            )
            unlisted = accounts_selectors.unlisted_among(
                organization_id=organization_id, membership_ids=ids
            )
            found += [
                (member_id, points, names[member_id])
                for member_id, points in theirs
                if member_id in names and member_id not in unlisted and not names[member_id].hidden
            ][: limit - len(found)]
        if len(batch) < TEAM_WALK_CHUNK:
            break
        last = (batch[-1][1], batch[-1][0])
    return found


def _rank_above(
    organization_id: int, period: str, start: dt.date, mine: int, membership_id: int
) -> int:
    """How many listed members have more points than `mine` in the organization's board:
    the sum of the histogram's buckets above (listed members per points, kept with the
    totals: docs/decisions/0033-listed-totals.md), a few hundred rows at most."""
    default = default_visibility(organization_id)
    if default != accounts_selectors.Visibility.HIDDEN:
        above = (
            scoped(PointHistogram, organization_id)
            .filter(period=period, start=start, points__gt=mine)
            .aggregate(n=Sum("members"))["n"]
        )
        return int(above or 0)
    # Everyone who did not choose is hidden: count the listed members above.
    return (
        _totals(organization_id, period, start, None)
        .filter(points__gt=mine)
        .filter(_visible(default))
        .exclude(membership_id=membership_id)
        .count()
    )


def standing(
    *,
    membership: Membership,
    period: str = "month",
    team_id: int | None = None,
    today: dt.date | None = None,
) -> Standing:
    """The member's points in the period and their rank among those the board shows (as if
    they were on it: a hidden person still sees where they stand). The organization's rank
    reads no profile per member above (`_rank_above`); a team's counts its members above."""
    organization_id = membership.organization_id
    period, start = _period(period, today)
    mine = (
        scoped(PointTotal, organization_id)
        .filter(membership_id=membership.pk, period=period, start=start)
        .values_list("points", flat=True)
        .first()
    ) or 0
    rank = None
    if mine > 0 and not team_id:
        rank = _rank_above(organization_id, period, start, mine, membership.pk) + 1
    elif mine > 0:
        default = default_visibility(organization_id)
        above = (
            _totals(organization_id, period, start, team_id)
            .filter(points__gt=mine)
            .filter(_visible(default))
            .exclude(membership_id=membership.pk)
            .count()
        )
        rank = above + 1
    return Standing(points=mine, rank=rank, visibility=visibility_of(membership=membership))


def recent_entries(*, membership: Membership, limit: int = 20) -> list[PointEntry]:
    """The member's own latest ledger rows, newest event first."""
    return list(
        scoped(PointEntry, membership.organization_id)
        .filter(membership_id=membership.pk)
        .order_by("-at", "-id")[:limit]
    )


def balance(*, membership: Membership) -> tuple[int, int]:
    """(lifetime, spendable) points of the member: their all-time total."""
    row = (
        scoped(PointTotal, membership.organization_id)
        .filter(membership_id=membership.pk, period="all")
        .values_list("points", "spendable")
        .first()
    )
    return (row[0], row[1]) if row else (0, 0)


def ledger_sums(*, organization_id: int) -> dict[tuple[int, str, dt.date], tuple[int, int]]:
    """{(membership id, period, start): (points, spendable)} recounted from the ledger (a
    full scan: for checks and tests, never for a page)."""
    sums: dict[tuple[int, str, dt.date], tuple[int, int]] = {}
    rows = scoped(PointEntry, organization_id).values_list(
        "membership_id", "day", "lifetime", "spendable"
    )
    for membership_id, day, lifetime, spendable in rows:
        for period in PERIODS:
            key = (membership_id, period, period_start(period, day))
            points, spent = sums.get(key, (0, 0))
            sums[key] = (points + lifetime, spent + spendable)
    return sums


def stored_totals(*, organization_id: int) -> dict[tuple[int, str, dt.date], tuple[int, int]]:
    return {
        (m, p, s): (points, spendable)
        for m, p, s, points, spendable in scoped(PointTotal, organization_id).values_list(
            "membership_id", "period", "start", "points", "spendable"
        )
    }


def rules_in_force(*, organization_id: int) -> list[PointRule]:
    """The current version of each rule, in the order of `RuleCode` (the defaults, unsaved,
    where the organization has none yet)."""
    latest: dict[str, PointRule] = {
        code: PointRule(
            organization_id=organization_id,
            code=code,
            points=default.points,
            daily_cap=default.daily_cap,
            network_daily_cap=default.network_daily_cap,
            valid_from=DEFAULTS_FROM,
        )
        for code, default in DEFAULT_RULES.items()
    }
    rows = scoped(PointRule, organization_id).filter(valid_from__lte=clock.now())
    for rule in rows.order_by("valid_from"):
        latest[rule.code] = rule
    return [latest[code] for code in RuleCode.values if code in latest]


def teams(*, membership: Membership) -> list[tuple[int, str]]:
    return [
        (team.pk, team.name)
        for team in accounts_selectors.organization_teams(
            organization_id=membership.organization_id
        )
    ]


def recounts(*, membership: Membership, limit: int = 10) -> list[PointRecount]:
    """The latest recounts asked for, with who asked."""
    return list(
        scoped(PointRecount, membership.organization_id)
        .select_related("requested_by__user")
        .order_by("-requested_at", "-id")[:limit]
    )


# ---- fair play (services/fairplay.py)


def fairplay_flags(
    *, membership: Membership, status: str = "open", limit: int = 50
) -> list[FairPlayFlag]:
    """The organization's flags of one status, newest first, with their members (three
    queries whatever their number)."""
    rows = (
        scoped(FairPlayFlag, membership.organization_id)
        .filter(status=status)
        .select_related("reviewed_by__user")
        .prefetch_related("members__user")
        .order_by("-last_at", "-id")
    )
    return list(rows[:limit])


def fairplay_open_count(*, organization_id: int) -> int:
    """How many flags wait for a review (the count in the navigation and on the home)."""
    return scoped(FairPlayFlag, organization_id).filter(status=FlagStatus.OPEN).count()


def fairplay_badge(membership: Membership) -> NavBadge:
    """The count next to "Fair play" in the navigation (`settings.NAV_BADGE_PROVIDERS`)."""
    count = 0
    if can(membership, "recognition.fairplay"):
        count = fairplay_open_count(organization_id=membership.organization_id)
    label = ngettext("%(n)d flag to review", "%(n)d flags to review", count) % {"n": count}
    return NavBadge(count=count, label=label)


def points_between(
    *, organization_id: int, start: dt.date, end: dt.date, membership_ids: list[int] | None = None
) -> dict[int, tuple[int, int]]:
    """{membership id: (lifetime, spendable)} of the ledger rows dated from `start` to `end`
    (inclusive; rewards' holds and releases included in spendable), for any range (the
    exports of rewards). One grouped query; members without a row are left out."""
    rows = scoped(PointEntry, organization_id).filter(day__gte=start, day__lte=end)
    if membership_ids is not None:
        rows = rows.filter(membership_id__in=membership_ids)
    grouped = (
        rows.order_by()
        .values("membership_id")
        .annotate(lifetime=Sum("lifetime"), spendable=Sum("spendable"))
    )
    return {
        row["membership_id"]: (int(row["lifetime"] or 0), int(row["spendable"] or 0))
        for row in grouped
    }


from .badges import (  # noqa: E402
    GalleryRow,
    badge_to_manage,
    badges_between,
    badges_of,
    earned_badge,
    gallery,
    my_badges,
)
from .by_team import team_board  # noqa: E402
from .challenges import (  # noqa: E402
    ChallengeDetail,
    ChallengeRow,
    ParticipantRow,
    challenge_detail,
    challenge_form_choices,
    challenge_list,
)

__all__ = [
    "ChallengeDetail",
    "ChallengeRow",
    "GalleryRow",
    "ParticipantRow",
    "badge_to_manage",
    "badges_between",
    "badges_of",
    "challenge_detail",
    "challenge_form_choices",
    "challenge_list",
    "earned_badge",
    "gallery",
    "my_badges",
    "team_board",
]
