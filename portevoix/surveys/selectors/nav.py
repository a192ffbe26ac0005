"""The navigation's "Surveys" link: shown with a count to a member with a survey to answer
(`settings.NAV_BADGE_PROVIDERS`). It is on every page, so it reads the cache: the
organization's open surveys (one query when cold, dropped at each launch and close), then,
only where some survey is open, what this member still has to answer (dropped when they
answer). Entries live two minutes, so a passed deadline drops the link soon after."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils.translation import ngettext

from portevoix.core import clock
from portevoix.core.context_processors import NavBadge
from portevoix.core.tenancy import scoped

from ..models import State, Survey

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

TTL = 120


def _org_key(organization_id: int) -> str:
    return f"surveys:open:{organization_id}"


def _member_key(organization_id: int, membership_id: int) -> str:
    return f"surveys:todo:{organization_id}:{membership_id}"


def forget_open(organization_id: int) -> None:
    cache.delete(_org_key(organization_id))


def forget_member(organization_id: int, membership_id: int) -> None:
    cache.delete(_member_key(organization_id, membership_id))


def _org_open(organization_id: int) -> list[Any]:
    found = cache.get(_org_key(organization_id))
    if found is None:
        found = list(
            scoped(Survey, organization_id)
            .filter(state=State.OPEN, deadline__gt=clock.now())
            .values_list("pk", flat=True)
        )
        cache.set(_org_key(organization_id), found, TTL)
    return list(found)


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
