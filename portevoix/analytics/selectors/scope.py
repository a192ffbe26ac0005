"""Filters and scope: whose figures a membership may read, and the checked filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.content import selectors as content_selectors
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network

from .figures import MAX_RANGE_DAYS

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    campaign_id: int | None = None
    team_id: int | None = None
    network: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Scope:
    """Whose figures a membership may read: the organization, or one ambassador."""

    organization_id: int
    membership_id: int | None  # None: the whole organization

    @property
    def own(self) -> bool:
        return self.membership_id is not None


def scope_of(membership: Membership, *, own: bool = False) -> Scope:
    """The organization for `analytics.view_org`; the member alone for
    `analytics.view_own` (or when `own` is asked); otherwise PermissionDenied."""
    if not own and can(membership, "analytics.view_org"):
        return Scope(membership.organization_id, None)
    if can(membership, "analytics.view_own"):
        return Scope(membership.organization_id, membership.pk)
    raise PermissionDenied("Not allowed: analytics.view_own")


def can_view(membership: Membership | None) -> bool:
    return can(membership, "analytics.view_org") or can(membership, "analytics.view_own")


class FiltersRefused(DomainError):
    """Filters the API cannot answer as asked (the pages adjust them instead)."""

    status = 422


def filters_as_asked(
    membership: Membership,
    *,
    start: dt.date,
    end: dt.date,
    campaign_id: int | None = None,
    team_id: int | None = None,
    network: str | None = None,
    scope: Literal["org", "own"] | None = None,
) -> tuple[Filters, bool]:
    """The API's filters and whether they read one's own figures, exactly as asked: a
    reversed or too long range is refused (422), never swapped or shortened; asking for the
    organization's figures without `analytics.view_org` is refused (403), not answered
    with one's own. No scope: the organization's when allowed, else one's own."""
    if end < start:
        message = _("The end date is before the start date.")
        raise FiltersRefused(message, field_errors={"end": [message]})
    if (end - start).days >= MAX_RANGE_DAYS:
        message = _("The period is longer than %(days)s days.") % {"days": MAX_RANGE_DAYS}
        raise FiltersRefused(message, field_errors={"start": [message]})
    filters = filters_for(
        membership,
        start=start,
        end=end,
        campaign_id=campaign_id,
        team_id=team_id,
        network=network,
    )
    if scope == "org":
        require(membership, "analytics.view_org")
    return filters, scope_of(membership, own=scope == "own").own


def filters_for(
    membership: Membership,
    *,
    start: dt.date,
    end: dt.date,
    campaign_id: int | None = None,
    team_id: int | None = None,
    network: str | None = None,
) -> Filters:
    """Checked filters: a campaign or team of another organization is NotFound (404)."""
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_RANGE_DAYS:
        start = end - dt.timedelta(days=MAX_RANGE_DAYS - 1)
    org = membership.organization_id
    if campaign_id is not None and not content_selectors.campaign_exists(
        organization_id=org, campaign_id=campaign_id
    ):
        raise NotFound("No such campaign.")
    if team_id is not None and not account_selectors.team_exists(
        organization_id=org, team_id=team_id
    ):
        raise NotFound("No such team.")
    if network is not None and network not in Network.ALL:
        raise NotFound("No such network.")
    return Filters(start, end, campaign_id, team_id, network)
