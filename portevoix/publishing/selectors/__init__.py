"""Reads of the publishing app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portevoix import networks as connectors
from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.core.context_processors import Banner
from portevoix.core.errors import NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.core.web import current_membership
from portevoix.networks.facebook import FacebookConnector

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership
    from portevoix.content.models import Campaign, ContentItem

from ..models import (
    CadenceRule,
    Connection,
    ConnectionStatus,
    CrisisPause,
    Delegation,
    EngagementSnapshot,
    NetworkApp,
    Post,
    PostState,
)


@dataclass(frozen=True)
class NetworkInfo:
    code: str
    label: str
    auth_kind: str
    supports_metrics: bool
    note: str


def network_infos() -> list[NetworkInfo]:
    notes = {
        Network.LINKEDIN: _(
            "LinkedIn does not give the figures of members' posts (likes, comments, views) to "
            "apps like Portevoix: your clicks are counted, your post's engagement is not."
        ),
        Network.FACEBOOK: _(
            "Facebook lets apps publish only to Pages, never to personal profiles: connect a "
            "company Page you manage; for your own profile, keep using the share dialog."
        ),
        Network.BLUESKY: _(
            "Use an app password (Bluesky → Settings → Privacy and security → App passwords), "
            "never your main password. Only the session is kept, encrypted."
        ),
        Network.MASTODON: _("Any Mastodon server: enter yours, e.g. mastodon.social."),
        Network.X: "",
        Network.THREADS: "",
    }
    infos = []
    for code in Network.ALL:
        connector = connectors.get(code)
        infos.append(
            NetworkInfo(
                code=code,
                label=Network.LABELS[code],
                auth_kind=connector.auth_kind,
                supports_metrics=connector.supports_metrics,
                note=notes.get(code, ""),
            )
        )
    return infos


def needing_reconnect(membership: Membership, network: str | None = None) -> list[Connection]:
    """The member's own connections that must be reconnected (never a silent failure)."""
    qs = scoped(Connection, membership.organization_id).filter(
        membership=membership, status=ConnectionStatus.NEEDS_RECONNECT
    )
    if network is not None:
        qs = qs.filter(network=network)
    return list(qs)


def reconnect_waiting(*, membership: Membership, limit: int = 5) -> tuple[int, list[Connection]]:
    """The program's accounts to reconnect: how many, the longest waiting. Two queries."""
    require(membership, "publishing.pause")
    needs = ConnectionStatus.NEEDS_RECONNECT
    qs = scoped(Connection, membership.organization_id).filter(status=needs)
    return qs.count(), list(qs.select_related("membership__user").order_by("updated_at")[:limit])


def facebook_note() -> str:
    return str(FacebookConnector.personal_profile_note)


def connected_followers(*, membership: Membership, network: str) -> int | None:
    """The follower count synced from the member's active connected account(s) on
    `network` (the largest, when several), or None when none has one. Sharing reads it for
    a share's potential reach (`settings.SHARE_AUDIENCE_PROVIDERS`)."""
    found = (
        scoped(Connection, membership.organization_id)
        .filter(
            membership_id=membership.pk,
            network=network,
            status=ConnectionStatus.ACTIVE,
            followers__isnull=False,
        )
        .aggregate(top=Max("followers"))["top"]
    )
    return int(found) if found is not None else None


def my_connections(membership: Membership) -> list[Connection]:
    return list(scoped(Connection, membership.organization_id).filter(membership=membership))


def publishable_connections(membership: Membership, network: str) -> list[Connection]:
    """Active accounts on `network` this member may post to: their own, and those of the
    people who delegated to them (those posts wait for the owner's approval)."""
    executives = (
        scoped(Delegation, membership.organization_id)
        .filter(assistant=membership, revoked_at__isnull=True)
        .values("executive_id")
    )
    return list(
        scoped(Connection, membership.organization_id)
        .filter(network=network, status=ConnectionStatus.ACTIVE)
        .filter(membership_id__in=[membership.pk, *[d["executive_id"] for d in executives]])
        .select_related("membership__user")
    )


def with_latest_snapshot(qs: QuerySet[Post]) -> QuerySet[Post]:
    """Posts annotated with their latest snapshot's id (one subquery on the (post, -at)
    index); `attach_latest` then reads those snapshots in one query."""
    latest_id = (
        EngagementSnapshot.objects.filter(post=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return qs.select_related(
        "item", "connection", "prepared_by__user", "membership__user"
    ).annotate(latest_snapshot_id=Subquery(latest_id))


def attach_latest(posts: list[Post]) -> list[Post]:
    """Each post's latest snapshot as `post.latest` (a list of 0 or 1), in one query."""
    ids = [p.latest_snapshot_id for p in posts if getattr(p, "latest_snapshot_id", None)]  # type: ignore[attr-defined]
    found = {s.pk: s for s in EngagementSnapshot.objects.filter(pk__in=ids)}
    for post in posts:
        snapshot = found.get(getattr(post, "latest_snapshot_id", None) or 0)
        post.latest = [snapshot] if snapshot else []  # type: ignore[attr-defined]
    return posts


def my_posts(membership: Membership, *, limit: int = 200) -> list[Post]:
    qs = scoped(Post, membership.organization_id).filter(membership=membership)
    return attach_latest(list(with_latest_snapshot(qs).order_by("-scheduled_at", "-pk")[:limit]))


def to_approve(membership: Membership) -> list[Post]:
    qs = scoped(Post, membership.organization_id).filter(
        membership=membership, state=PostState.AWAITING_APPROVAL
    )
    return attach_latest(list(with_latest_snapshot(qs)))


def prepared_by_me(membership: Membership, *, limit: int = 100) -> list[Post]:
    qs = scoped(Post, membership.organization_id).filter(prepared_by=membership)
    return attach_latest(list(with_latest_snapshot(qs).order_by("-scheduled_at")[:limit]))


def active_delegation(*, executive: Membership, assistant: Membership) -> Delegation | None:
    return (
        scoped(Delegation, executive.organization_id)
        .filter(executive=executive, assistant=assistant, revoked_at__isnull=True)
        .first()
    )


def delegations_given(membership: Membership) -> list[Delegation]:
    return list(
        scoped(Delegation, membership.organization_id)
        .filter(executive=membership, revoked_at__isnull=True)
        .select_related("assistant__user")
    )


def delegations_received(membership: Membership) -> list[Delegation]:
    return list(
        scoped(Delegation, membership.organization_id)
        .filter(assistant=membership, revoked_at__isnull=True)
        .select_related("executive__user")
    )


def active_pauses(organization_id: int) -> list[CrisisPause]:
    return list(
        scoped(CrisisPause, organization_id)
        .filter(ended_at__isnull=True)
        .select_related("campaign", "started_by__user")
        .order_by("-started_at")
    )


def recent_pauses(organization_id: int, *, limit: int = 20) -> list[CrisisPause]:
    return list(
        scoped(CrisisPause, organization_id)
        .filter(ended_at__isnull=False)
        .select_related("campaign", "started_by__user", "ended_by__user")
        .order_by("-ended_at")[:limit]
    )


def held_posts(organization_id: int, pause_id: int) -> list[Post]:
    return list(
        scoped(Post, organization_id)
        .filter(held_by_id=pause_id, state=PostState.HELD)
        .select_related("item", "membership__user")
        .order_by("scheduled_at")
    )


def network_apps(organization_id: int) -> dict[str, NetworkApp]:
    return {a.network: a for a in scoped(NetworkApp, organization_id)}


def cadence_rules(organization_id: int) -> dict[str, CadenceRule]:
    return {rule.network: rule for rule in scoped(CadenceRule, organization_id)}


def delegation_candidates(membership: Membership, *, limit: int = 500) -> list[Membership]:
    """The active members of the organization this member could delegate to (not themself)."""
    return list(
        account_selectors.active_members(
            organization_id=membership.organization_id, exclude_membership_id=membership.pk
        )[:limit]
    )


def item_of_organization(membership: Membership, item_id: int) -> ContentItem:
    """An item of the member's organization (whatever its state), else `NotFound`."""
    return content_selectors.item_of_organization(
        organization_id=membership.organization_id, item_id=item_id
    )


def post_for_edit(membership: Membership, post_id: int) -> Post:
    """A post of this member's, or one they prepared, with its item and account; else
    `NotFound` (another member's post is indistinguishable from a missing one)."""
    post = get_scoped(
        Post.objects.select_related("item", "connection"), membership.organization_id, pk=post_id
    )
    if post.membership_id != membership.pk and post.prepared_by_id != membership.pk:
        raise NotFound("Not found")
    return post


def post_reloaded(post: Post) -> Post:
    """The post as it is now in the database (after a publication ran on commit, say)."""
    return get_scoped(Post, post.organization_id, pk=post.pk)


def visible_post(membership: Membership, post_id: int) -> Post:
    """A post of this member's, or one they prepared for someone else, with its item,
    account and latest engagement; else `NotFound`."""
    qs = scoped(Post, membership.organization_id).filter(
        Q(membership=membership) | Q(prepared_by=membership)
    )
    post = get_scoped(with_latest_snapshot(qs), membership.organization_id, pk=post_id)
    return attach_latest([post])[0]


def my_posts_page(membership: Membership, *, offset: int, limit: int) -> tuple[int, list[Post]]:
    """One page of the member's posts (the latest planned first) and their total count."""
    qs = scoped(Post, membership.organization_id).filter(membership=membership)
    page = with_latest_snapshot(qs).order_by("-scheduled_at", "-pk")[offset : offset + limit]
    return qs.count(), attach_latest(list(page))


@dataclass(frozen=True)
class PauseOverview:
    active: list[CrisisPause]
    recent: list[tuple[CrisisPause, list[Post]]]
    campaigns: list[Campaign]
    scheduled_count: int


def pause_overview(membership: Membership) -> PauseOverview:
    """The crisis-pause page: active pauses, recent ones with the posts each holds, the
    campaigns one may pause, and how many posts are scheduled."""
    org_id = membership.organization_id
    return PauseOverview(
        active=active_pauses(org_id),
        recent=[(p, held_posts(org_id, p.pk)) for p in recent_pauses(org_id)],
        campaigns=list(content_selectors.campaigns(membership=membership)),
        scheduled_count=scoped(Post, org_id).filter(state=PostState.SCHEDULED).count(),
    )


def latest(post: Post) -> EngagementSnapshot | None:
    found = getattr(post, "latest", None)
    return found[0] if found else None


def pause_banners(request: HttpRequest) -> list[Banner]:
    """The crisis-pause banner on every page of the current organization (a
    `PAGE_BANNER_PROVIDERS` entry): one query, none without a current membership."""
    membership = current_membership(request)
    if membership is None:
        return []
    # Kept in the page frame (accounts/frame.py): a pause's writes, and a campaign's, move
    # the organization's version.
    pauses = frame.cached(
        membership,
        "pauses",
        lambda: [
            (p.pk, p.campaign.name if p.campaign is not None else None, p.reason)
            for p in active_pauses(membership.organization_id)
        ],
    )
    banners = []
    for pk, campaign, reason in pauses:
        if campaign is not None:
            message = _("Publishing of the campaign “%(name)s” is paused.") % {"name": campaign}
        else:
            message = _("All scheduled publishing is paused.")
        banners.append(
            Banner(message=message, detail=reason, level="warning", kind="pause", key=str(pk))
        )
    return banners


# --------------------------------------------------------------------------- the engine's reads


def pauses_in_force(organization_id: int | None = None) -> list[CrisisPause]:
    qs = CrisisPause.objects.filter(ended_at__isnull=True)
    if organization_id is not None:
        qs = scoped(qs, organization_id)
    return list(qs)


def pause_holding(post: Post) -> CrisisPause | None:
    """The pause that holds this post, if any: the organization's, else its campaign's."""
    pauses = pauses_in_force(post.organization_id)
    for pause in pauses:
        if pause.campaign_id is None:
            return pause
    campaign_id = post.item.campaign_id
    return next((p for p in pauses if p.campaign_id == campaign_id and campaign_id), None)


def paused_q(pauses: list[CrisisPause]) -> Q:
    """Posts that these pauses hold."""
    held = Q(pk__in=[])
    org_wide = [p.organization_id for p in pauses if p.campaign_id is None]
    if org_wide:
        held |= Q(organization_id__in=org_wide)
    campaigns = [p.campaign_id for p in pauses if p.campaign_id is not None]
    if campaigns:
        held |= Q(item__campaign_id__in=campaigns)
    return held


def claimable_q(now: dt.datetime) -> Q:
    due = Q(state=PostState.SCHEDULED, scheduled_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(state=PostState.PUBLISHING, lease_until__lt=now)
    return due | abandoned


def due_post_ids(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    now = now or clock.now()
    qs = Post.objects.filter(claimable_q(now))
    pauses = pauses_in_force()
    if pauses:
        qs = qs.exclude(paused_q(pauses))
    return list(qs.order_by("scheduled_at", "pk").values_list("pk", flat=True)[:limit])


def post_latest_snapshot(post_id: int) -> EngagementSnapshot | None:
    return EngagementSnapshot.objects.filter(post_id=post_id).order_by("-at", "-pk").first()


def rollup_engagement(
    *,
    organization_id: int,
    since: dt.datetime,
    until: dt.datetime,
    latest_only: bool = False,
    **_: object,
) -> QuerySet[EngagementSnapshot]:
    """For analytics' rollups (`settings.ROLLUP_EVENT_SOURCES`, columns described in
    analytics/rollups/sources.py): the engagement snapshots of the organization's connected
    posts whose share was created in [since, until); with `latest_only`, each post's latest
    (latest `at`, then highest id)."""
    qs = scoped(EngagementSnapshot, organization_id).filter(
        post__share__created_at__gte=since, post__share__created_at__lt=until
    )
    if latest_only:
        latest_id = Subquery(
            EngagementSnapshot.objects.filter(post_id=OuterRef("post_id"))
            .order_by("-at", "-id")
            .values("id")[:1]
        )
        qs = qs.filter(id=latest_id)
    return qs.annotate(
        ev_share=F("post__share_id"),
        ev_at=F("post__share__created_at"),
        ev_item=F("post__share__item_id"),
        ev_member=F("post__share__membership_id"),
        ev_network=F("post__share__network"),
        ev_snapshot_at=F("at"),
        ev_snapshot_id=F("id"),
        ev_likes=F("likes"),
        ev_replies=F("replies"),
        ev_reposts=F("reposts"),
        ev_quotes=F("quotes"),
        ev_impressions=F("impressions"),
    )


# --- Reads offered to other apps (no permission check: the caller has authorized)


def post_outcome(*, organization_id: int, post_id: int) -> Post:
    """A post with its item, for telling its owner it went out or failed; `NotFound`
    otherwise."""
    return get_scoped(Post.objects.select_related("item"), organization_id, pk=post_id)


def connection_of(*, organization_id: int, connection_id: int) -> Connection:
    """A connected account of the organization; `NotFound` otherwise."""
    return get_scoped(Connection, organization_id, pk=connection_id)


from .calendar import scheduled_posts_between as scheduled_posts_between  # noqa: E402
from .card import CARD_MAX_POSTS as CARD_MAX_POSTS  # noqa: E402
from .card import CARD_RECENT_DAYS as CARD_RECENT_DAYS  # noqa: E402
from .card import CardAccount as CardAccount  # noqa: E402
from .card import CardState as CardState  # noqa: E402
from .card import card_state as card_state  # noqa: E402
from .card import card_when as card_when  # noqa: E402
