"""The navigation's "Surveys" link: shown with a count to a member with a survey to answer
(`settings.NAV_BADGE_PROVIDERS`). It is on every page of every member, so it costs no query
where no survey is open: the organization's open surveys and their deadlines are written to
the cache when a survey is launched or closed, and again by the periodic `surveys_tick`
(every five minutes); a missing entry means "none" (after a cache flush, the link comes back
at the next tick; the survey's notification and /surveys/ work meanwhile). Only where a
survey is open is what this member still has to answer read (kept two minutes, dropped when
they answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.translation import ngettext

from portevoix.accounts import frame
from portevoix.core import clock
from portevoix.core.context_processors import NavBadge
from portevoix.core.tenancy import scoped

from ..models import State, Survey

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

TTL = 120
ORG_TTL = 20 * 60  # longer than the periodic refresh


def _org_key(organization_id: int) -> str:
    return f"surveys:open:{organization_id}"


def _member_key(organization_id: int, membership_id: int) -> str:
    return f"surveys:todo:{organization_id}:{membership_id}"


def remember_open(organization_id: int) -> None:
    """Write the organization's open surveys to the cache (after a launch or a close)."""
    now = clock.now()
    found = [
        (pk, deadline.timestamp())
        for pk, deadline in scoped(Survey, organization_id)
        .filter(state=State.OPEN, deadline__gt=now)
        .values_list("pk", "deadline")
    ]
    cache.set(_org_key(organization_id), found, ORG_TTL)
    frame.bump_organization(organization_id)  # the count is kept in the page frame too


def remember_all_open() -> int:
    """The periodic refresh: every organization with an open survey (one query)."""
    now = clock.now()
    by_org: dict[int, list[tuple[int, float]]] = {}
    rows = Survey.objects.filter(state=State.OPEN, deadline__gt=now).values_list(
        "organization_id", "pk", "deadline"
    )
    for organization_id, pk, deadline in rows:
        by_org.setdefault(organization_id, []).append((pk, deadline.timestamp()))
    cache.set_many({_org_key(org): found for org, found in by_org.items()}, ORG_TTL)
    return len(by_org)


def forget_member(organization_id: int, membership_id: int) -> None:
    cache.delete(_member_key(organization_id, membership_id))
    frame.bump_member(membership_id=membership_id, organization_id=organization_id)


def _org_open(organization_id: int) -> list[int]:
    """The ids of the organization's open surveys whose deadline is still ahead, as the
    cache knows them (no query: nothing known is nothing open)."""
    now = clock.now().timestamp()
    return [pk for pk, deadline in cache.get(_org_key(organization_id)) or [] if deadline > now]


def open_badge(membership: Membership) -> NavBadge:
    count = 0
    if _org_open(membership.organization_id):
        key = _member_key(membership.organization_id, membership.pk)
        count = cache.get(key)
        if count is None:
            from .surveys import open_count

            count = open_count(membership)
            cache.set(key, count, TTL)
    return NavBadge(
        count=count,
        label=ngettext("%(count)s survey to answer", "%(count)s surveys to answer", count)
        % {"count": count},
    )
