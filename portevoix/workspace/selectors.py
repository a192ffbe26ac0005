"""The home of each member (`/`): one section per role, each with what to act on and a link
to where the work is done.

Workspace sits at the top of the apps, beside notifications: it reads the other apps through
their selectors only, owns no table, and nobody imports it. Each section costs a constant
number of queries, whatever the size of the organization (tests/workspace/test_home.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.analytics import selectors as analytics_selectors
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.context_processors import HomeBlock, home_blocks
from portevoix.governance import selectors as governance_selectors
from portevoix.notifications import selectors as notification_selectors
from portevoix.publishing import selectors as publishing_selectors
from portevoix.recognition import selectors as recognition_selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership
    from portevoix.accounts.selectors import PeopleOverview
    from portevoix.content.models import ContentItem
    from portevoix.content.selectors import AuthorWorklist
    from portevoix.governance.selectors import CasesWaiting
    from portevoix.notifications.models import Notification
    from portevoix.publishing.models import Connection, CrisisPause

LIMIT = 5  # rows listed per block; the counts say how many there are
PERIOD_DAYS = 30
# Goals on the home of the analyst and the executive: at most this many, ended at most
# this many days ago.
HOME_GOALS = 5
GOALS_GRACE_DAYS = 7


@dataclass(frozen=True)
class ApprovalsSection:
    items: list[ContentItem]  # oldest submission first
    count: int


@dataclass(frozen=True)
class ContentSection:
    work: AuthorWorklist
    suggestions: CasesWaiting


@dataclass(frozen=True)
class CommunitySection:
    cases: CasesWaiting
    reconnect_count: int
    reconnect: list[Connection]
    pauses: list[CrisisPause]
    alerts: list[Notification]
    fairplay_count: int = 0  # fair-play flags waiting for a review
    # What other apps add (settings.HOME_BLOCK_PROVIDERS): the vigilance inbox.
    blocks: list[HomeBlock] = field(default_factory=list)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    current: int
    previous: int

    @property
    def change(self) -> int | None:
        """The change against the previous period, in whole percent (None: nothing to
        compare with, the previous period was 0)."""
        if not self.previous:
            return None
        ratio = (Decimal(self.current - self.previous) * 100) / Decimal(self.previous)
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def trend(self) -> Literal["up", "down", "flat", "new"]:
        change = self.change
        if change is None:
            return "new" if self.current else "flat"
        return "up" if change > 0 else "down" if change < 0 else "flat"


@dataclass(frozen=True)
class FiguresSection:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    figures: list[Figure]
    # The goals still running or just ended (soonest deadline first), with their progress.
    goals: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    help: str | Promise
    done: bool
    url_name: str


@dataclass(frozen=True)
class AdminSection:
    people: PeopleOverview
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)


@dataclass(frozen=True)
class Home:
    """What `/` shows: `feed` (an ambassador with no other role: their feed), `enrol` (no
    role, not an ambassador: an invitation to join the programme) or `sections`."""

    kind: Literal["feed", "enrol", "sections"]
    is_ambassador: bool = False
    approvals: ApprovalsSection | None = None
    content: ContentSection | None = None
    community: CommunitySection | None = None
    figures: FiguresSection | None = None
    admin: AdminSection | None = None
    # The sections in the order the page shows them.
    order: list[str] = field(default_factory=list)


# What one acts on first comes first: signatures others wait for, one's own content, the
# community, the organization's set-up, then the figures to read.
SECTION_ROLES: tuple[tuple[str, frozenset[str]], ...] = (
    ("approvals", frozenset({Role.APPROVER, Role.FINAL_APPROVER})),
    ("content", frozenset({Role.CONTENT_MANAGER})),
    ("community", frozenset({Role.COMMUNITY_MANAGER})),
    ("admin", frozenset({Role.ADMIN})),
    ("figures", frozenset({Role.ANALYST, Role.EXECUTIVE})),
)


def home_for(membership: Membership) -> Home:
    roles = roles_of(membership)
    is_ambassador = Role.AMBASSADOR in roles
    order = [name for name, wanted in SECTION_ROLES if roles & wanted]
    if not order:
        return Home(kind="feed" if is_ambassador else "enrol", is_ambassador=is_ambassador)
    return Home(
        kind="sections",
        is_ambassador=is_ambassador,
        approvals=approvals_section(membership) if "approvals" in order else None,
        content=content_section(membership) if "content" in order else None,
        community=community_section(membership) if "community" in order else None,
        admin=admin_section(membership) if "admin" in order else None,
        figures=figures_section(membership) if "figures" in order else None,
        order=order,
    )


def approvals_section(membership: Membership) -> ApprovalsSection:
    """Two queries."""
    waiting = content_selectors.approvals_waiting_for(membership=membership)
    return ApprovalsSection(
        items=list(waiting.select_related("author")[:LIMIT]), count=waiting.count()
    )


def content_section(membership: Membership) -> ContentSection:
    """Six queries."""
    return ContentSection(
        work=content_selectors.author_worklist(membership=membership, limit=LIMIT),
        suggestions=governance_selectors.suggestions_waiting(membership=membership, limit=LIMIT),
    )


def community_section(membership: Membership) -> CommunitySection:
    """Eight queries, and the blocks of other apps (the vigilance inbox: three)."""
    cases = governance_selectors.moderation_waiting(membership=membership, limit=LIMIT)
    reconnect_count, reconnect = publishing_selectors.reconnect_waiting(
        membership=membership, limit=LIMIT
    )
    return CommunitySection(
        cases=cases,
        reconnect_count=reconnect_count,
        reconnect=reconnect,
        pauses=publishing_selectors.active_pauses(membership.organization_id),
        alerts=notification_selectors.latest_notifications(membership=membership, limit=LIMIT),
        fairplay_count=recognition_selectors.fairplay_open_count(
            organization_id=membership.organization_id
        ),
        blocks=home_blocks("community", membership),
    )


FIGURES: tuple[tuple[str, Promise], ...] = (
    ("shares", _("Shares")),
    ("clicks", _("Clicks")),
    ("conversions", _("Conversions")),
    ("potential_reach", _("Potential reach")),
)


def figures_section(membership: Membership, *, today: dt.date | None = None) -> FiguresSection:
    """The last `PERIOD_DAYS` days (today included) against the `PERIOD_DAYS` before, from
    the rollups: a handful of queries, whatever the number of shares."""
    today = today or timezone.localdate(clock.now())
    start = today - dt.timedelta(days=PERIOD_DAYS - 1)
    previous_end = start - dt.timedelta(days=1)
    previous_start = previous_end - dt.timedelta(days=PERIOD_DAYS - 1)
    current = analytics_selectors.totals(
        membership=membership,
        filters=analytics_selectors.filters_for(membership, start=start, end=today),
    )
    previous = analytics_selectors.totals(
        membership=membership,
        filters=analytics_selectors.filters_for(membership, start=previous_start, end=previous_end),
    )
    return FiguresSection(
        start=start,
        end=today,
        previous_start=previous_start,
        previous_end=previous_end,
        figures=[
            Figure(key, label, int(getattr(current, key)), int(getattr(previous, key)))
            for key, label in FIGURES
        ],
        goals=goal_selectors.goals(
            membership=membership,
            on=today,
            ending_after=today - dt.timedelta(days=GOALS_GRACE_DAYS),
            limit=HOME_GOALS,
        ),
    )


def admin_section(membership: Membership) -> AdminSection:
    """People and the set-up checklist, each step done or not from the data itself."""
    people = account_selectors.people_overview(membership=membership)
    org_id = membership.organization_id
    steps = [
        Step(
            "invite",
            _("Invite people"),
            _("Send invitations by email, with their roles."),
            people.invitations_sent > 0 or people.members > 1,
            "accounts:invite",
        ),
        Step(
            "teams",
            _("Create the teams"),
            _("Departments and sites, to filter content and figures."),
            people.teams > 0,
            "accounts:teams",
        ),
        Step(
            "approvers",
            _("Name the approvers"),
            _("Enough people with the approver roles for the approvals your rules require."),
            not account_selectors.approval_staffing_warnings(membership=membership),
            "accounts:members",
        ),
        Step(
            "charter",
            _("Write the charter"),
            _("The rules ambassadors accept before they share."),
            governance_selectors.current_charter(org_id) is not None,
            "governance:charter_manage",
        ),
        Step(
            "network_apps",
            _("Set the network apps"),
            _("Your apps' keys, so that people can connect their accounts and publish."),
            bool(publishing_selectors.network_apps(org_id)),
            "publishing:apps",
        ),
        Step(
            "first_content",
            _("Publish a first content item"),
            _("Write it, have it approved: it reaches the ambassadors' feed."),
            content_selectors.has_published_content(organization_id=org_id),
            "content:item_new",
        ),
    ]
    return AdminSection(people=people, steps=steps)
