"""Reads of the content calendar: the entries of a period (items' live periods, scheduled
posts, campaigns, events) laid out as a month or a week, and the owner of a feed address.

Each source is one query (content, publishing and training selectors), so a month costs the
same number of queries however full it is. Days are those of the current time zone.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.content import selectors as content_selectors
from portevoix.content.services.schedule import MOVABLE_STATES
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.publishing import selectors as publishing_selectors
from portevoix.training import selectors as training_selectors

from .layout import ONE_DAY, PER_DAY, Day, Week, lay_out
from .models import CalendarFeedToken
from .services import token_hash

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

VIEWS = ("month", "week")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Filters:
    campaign_id: int | None = None
    topic_id: int | None = None
    network: str | None = None
    team_id: int | None = None

    def as_query(self) -> dict[str, str]:
        values = {
            "campaign": self.campaign_id,
            "topic": self.topic_id,
            "network": self.network,
            "team": self.team_id,
        }
        return {key: str(value) for key, value in values.items() if value}


@dataclass
class Entry:
    """One thing on the calendar. `kind`: item, post, campaign or event; `state`: the CSS
    modifier that colours it (an item's state, "post", "campaign", "event")."""

    kind: str
    key: str  # unique in a calendar: "item-12"
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    all_day: bool
    state: str
    label: str  # what it is, in words ("Live", "Scheduled post"): colour is never alone
    url: str = ""
    detail: str = ""
    item_id: int | None = None
    movable: bool = False


@dataclass
class Calendar:
    view: str
    anchor: dt.date
    first: dt.date  # first day shown
    weeks: list[Week]
    previous: dt.date
    next: dt.date
    today: dt.date
    filters: Filters
    count: int

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week.days]

    def keys_by_day(self) -> dict[dt.date, list[str]]:
        """{day: [entry keys]}, bars included: what each day shows."""
        shown: dict[dt.date, list[str]] = {}
        for week in self.weeks:
            for day in week.days:
                shown[day.date] = [
                    span.entry.key
                    for span in week.spans
                    if span.first_day <= day.date <= span.last_day
                ] + [day_entry.entry.key for day_entry in day.entries]
        return shown


# --- Reading the query string (anything invalid falls back to the default)


def parse_view(value: str | None) -> str:
    return value if value in VIEWS else "month"


def parse_date(value: str | None, today: dt.date) -> dt.date:
    try:
        parsed = dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return today
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else today


def _positive(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def parse_filters(params: dict[str, str]) -> Filters:
    network = params.get("network") or None
    return Filters(
        campaign_id=_positive(params.get("campaign")),
        topic_id=_positive(params.get("topic")),
        network=network if network in Network.ALL else None,
        team_id=_positive(params.get("team")),
    )


# --- The period


def period(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first day shown, day after the last, previous anchor, next anchor). A month shows
    whole weeks, Monday first."""
    if view == "week":
        first = anchor - dt.timedelta(days=anchor.weekday())
        return first, first + 7 * ONE_DAY, first - 7 * ONE_DAY, first + 7 * ONE_DAY
    month_first = anchor.replace(day=1)
    days_in_month = pycalendar.monthrange(anchor.year, anchor.month)[1]
    month_end = month_first + days_in_month * ONE_DAY
    first = month_first - dt.timedelta(days=month_first.weekday())
    end = month_end + dt.timedelta(days=(7 - month_end.weekday()) % 7)
    previous = (month_first - ONE_DAY).replace(day=1)
    return first, end, previous, month_end


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- The entries


def _item_label(state: str) -> str:
    return {
        "in_review": _("In review"),
        "approved": pgettext("calendar: an approved item waiting for its date", "Scheduled"),
        "live": _("Live"),
        "expired": _("Expired"),
    }.get(state, state)


def entries_between(
    membership: Membership, start: dt.datetime, end: dt.datetime, filters: Filters
) -> list[Entry]:
    """Everything on the calendar in [start, end) that the member may see, by start."""
    require(membership, "calendar.view")
    org_id = membership.organization_id
    now = clock.now()
    entries: list[Entry] = []
    for item in content_selectors.calendar_items(
        membership=membership,
        start=start,
        end=end,
        campaign_id=filters.campaign_id,
        topic_id=filters.topic_id,
        network=filters.network,
        team_id=filters.team_id,
    ):
        state = content_selectors.effective_state(item, now)
        starts_at = item.publish_at or item.live_at or now
        detail = item.campaign.name if item.campaign_id and item.campaign else ""
        entries.append(
            Entry(
                kind="item",
                key=f"item-{item.pk}",
                title=item.title,
                starts_at=starts_at,
                ends_at=item.expire_at,
                all_day=False,
                state=state,
                label=_item_label(state),
                url=reverse("content:item", args=[item.pk]),
                detail=detail,
                item_id=item.pk,
                movable=item.state in MOVABLE_STATES
                and state != "expired"
                and can(membership, "content.edit", item),
            )
        )
    show_people = can(membership, "share.view_all")
    for post in publishing_selectors.scheduled_posts_between(
        organization_id=org_id,
        start=start,
        end=end,
        campaign_id=filters.campaign_id,
        topic_id=filters.topic_id,
        network=filters.network,
        team_id=filters.team_id,
    ):
        network = Network.LABELS.get(post.network, post.network)
        entries.append(
            Entry(
                kind="post",
                key=f"post-{post.pk}",
                title=post.item.title,
                starts_at=post.scheduled_at,
                ends_at=None,
                all_day=False,
                state="post",
                label=_("Post on %(network)s") % {"network": network},
                detail=post.membership.user.display_name if show_people else "",
            )
        )
    if not (filters.topic_id or filters.network or filters.team_id):
        for campaign in content_selectors.campaigns_between(
            membership=membership,
            start=timezone.localdate(start),
            end=timezone.localdate(end),
            campaign_id=filters.campaign_id,
        ):
            assert campaign.starts_on is not None
            last = campaign.ends_on or campaign.starts_on
            entries.append(
                Entry(
                    kind="campaign",
                    key=f"campaign-{campaign.pk}",
                    title=campaign.name,
                    starts_at=start_of(campaign.starts_on),
                    ends_at=start_of(last + ONE_DAY),
                    all_day=True,
                    state="campaign",
                    label=_("Campaign"),
                    url=reverse("content:campaigns"),
                )
            )
    if not any((filters.campaign_id, filters.topic_id, filters.network, filters.team_id)):
        for event in training_selectors.events_between(
            organization_id=org_id, start=start, end=end
        ):
            entries.append(
                Entry(
                    kind="event",
                    key=f"event-{event.pk}",
                    title=event.title,
                    starts_at=event.starts_at,
                    ends_at=event.ends_at,
                    all_day=False,
                    state="event",
                    label=event.get_kind_display(),
                    url=reverse("training:event", args=[event.pk]),
                    detail=event.place,
                )
            )
    entries.sort(key=lambda e: (not e.all_day, e.starts_at, e.key))
    return entries


def calendar_for(
    *, membership: Membership, view: str, anchor: dt.date, filters: Filters
) -> Calendar:
    """The month (whole weeks) or the week around `anchor`, week by week."""
    first, end, previous, following = period(view, anchor)
    today = timezone.localdate()
    entries = entries_between(membership, start_of(first), start_of(end), filters)
    weeks = lay_out(
        entries,
        first=first,
        end=end,
        month=None if view == "week" else anchor.month,
        today=today,
        per_day=PER_DAY[view],
    )
    return Calendar(
        view=view,
        anchor=anchor,
        first=first,
        weeks=weeks,
        previous=previous,
        next=following,
        today=today,
        filters=filters,
        count=len(entries),
    )


@dataclass(frozen=True)
class FilterChoices:
    campaigns: list[tuple[int, str]]
    topics: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    networks: list[tuple[str, str]]


def filter_choices(*, membership: Membership) -> FilterChoices:
    topics, campaigns = content_selectors.feed_filter_choices(membership=membership)
    org_teams = account_selectors.organization_teams(organization_id=membership.organization_id)
    teams = [(team.pk, team.name) for team in org_teams]
    networks = [(code, Network.LABELS[code]) for code in Network.ALL]
    return FilterChoices(campaigns=campaigns, topics=topics, teams=teams, networks=networks)


# --- The feed address


def active_feed(*, membership: Membership) -> CalendarFeedToken | None:
    """The member's working feed address (its row: the secret itself is not kept)."""
    return (
        scoped(CalendarFeedToken, membership.organization_id)
        .filter(membership_id=membership.pk, revoked_at__isnull=True)
        .first()
    )


def feed_owner(secret: str) -> tuple[CalendarFeedToken, Membership] | None:
    """The token and the member a feed address belongs to, or None: unknown or revoked
    address, member deactivated or no longer allowed to see the calendar."""
    if not secret or len(secret) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("membership__user", "membership__organization")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    membership = token.membership
    if not membership.user.is_active or not can(membership, "calendar.view"):
        return None
    return token, membership
