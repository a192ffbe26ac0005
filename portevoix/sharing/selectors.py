"""Reads of the sharing app: shares, tracked links, destinations, tracking settings."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.content import selectors as content_selectors
from portevoix.content.selectors import live_q
from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import get_scoped_or_404, scoped

from . import intents, utm
from .codes import is_code
from .mix import THIRD_PARTY_TARGET as THIRD_PARTY_TARGET
from .mix import ContentMix as ContentMix
from .mix import content_mix as content_mix
from .mix import third_party_target as third_party_target
from .models import Click, Conversion, Share, TrackedLink, TrackingSettings
from .rollups import campaign_of_event as campaign_of_event
from .rollups import rollup_clicks as rollup_clicks
from .rollups import rollup_conversions as rollup_conversions
from .rollups import rollup_shares as rollup_shares
from .textcheck import GuardrailHit, copy_report, guardrail_hits, normalized
from .variety import VarietyWarning, variety_warning
from .visitor import local_day as local_day  # the rollup day of a share or click

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership, NetworkPresence, Organization
    from portevoix.content.models import ContentItem, NetworkCopy

_PSEUDONYM_PURPOSE = b"portevoix.sharing.ambassador-pseudonym.v1"


def short_url(code: str) -> str:
    """The public short link of a code: SHORT_LINK_BASE_URL/l/<code>."""
    return f"{settings.SHORT_LINK_BASE_URL}/l/{code}"


@functools.lru_cache(maxsize=4)
def _pseudonym_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _PSEUDONYM_PURPOSE, hashlib.sha256).digest()


def ambassador_pseudonym(membership_id: int) -> str:
    """A stable pseudonymous id of an ambassador for `utm_content` (10 hex characters):
    HMAC of the membership id with a secret derived from SECRET_KEY. The customer's
    analytics can group by it but cannot tell who it is."""
    key = _pseudonym_key(settings.SECRET_KEY)
    return hmac.new(key, str(membership_id).encode("ascii"), hashlib.sha256).hexdigest()[:10]


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition on a related model: Q(state=...) -> Q(item__state=...)."""
    result = Q()
    result.connector = q.connector
    result.negated = q.negated
    children: list[Any] = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            lookup, value = cast(tuple[str, Any], child)
            children.append((prefix + lookup, value))
    result.children = children
    return result


def live_links_q(now: dt.datetime) -> Q:
    """Tracked links whose item reaches ambassadors now (content.selectors.live_q)."""
    return _prefixed(live_q(now), "item__")


# --- Items and copies for sharing


def live_item(*, membership: Membership, item_id: int) -> ContentItem:
    """A live item of the member's organization, with its copies; 404 otherwise (draft,
    scheduled, expired, archived, or another organization's)."""
    return content_selectors.live_item(organization_id=membership.organization_id, item_id=item_id)


def suggested_copies(item: ContentItem, network: str) -> list[NetworkCopy]:
    """The item's suggested copies for `network`, in variant order (uses the prefetch)."""
    return [copy for copy in item.copies.all() if copy.network == network]


def presence(*, membership: Membership, network: str) -> NetworkPresence | None:
    """The member's declared presence on `network` (audience, Mastodon instance)."""
    return account_selectors.network_presence(membership=membership, network=network)


AudienceProvider = Callable[..., int | None]


@functools.cache
def _audience_providers(paths: tuple[str, ...]) -> list[AudienceProvider]:
    return [import_string(path) for path in paths]


def connected_audience(*, membership: Membership, network: str) -> int | None:
    """The follower count synced from the member's connected account(s) on `network` (the
    largest, when several), or None when no connected account has one. It replaces the
    declared audience in potential reach.

    Sharing imports no app that connects accounts: the providers are listed by dotted path
    in `settings.SHARE_AUDIENCE_PROVIDERS` (publishing's `connected_followers`); each is
    called with `membership=` and `network=` and returns a count or None."""
    paths = tuple(getattr(settings, "SHARE_AUDIENCE_PROVIDERS", ()))
    found = [
        count
        for provider in _audience_providers(paths)
        if (count := provider(membership=membership, network=network)) is not None
    ]
    return max(found) if found else None


def share_audience(*, membership: Membership, network: str) -> tuple[str | None, int]:
    """(the member's Mastodon instance or None, their audience on `network`): the synced
    follower count of a connected account, else the declared audience, else 0."""
    found = presence(membership=membership, network=network)
    synced = connected_audience(membership=membership, network=network)
    audience = synced if synced is not None else (found.audience if found is not None else 0)
    if network != Network.MASTODON:
        return None, audience
    return intents.normalize_instance(found.instance if found else ""), audience


@dataclass(frozen=True)
class TextCheck:
    network: str
    length: int
    limit: int
    remaining: int
    ok: bool  # fits the network and nothing blocks it
    errors: list[str]
    fits: bool = True
    blocked: bool = False
    guardrails: tuple[GuardrailHit, ...] = ()
    variety: VarietyWarning | None = None  # a near-copy of colleagues' posts: warns only


def share_text_check(*, membership: Membership, item_id: int, network: str, text: str) -> TextCheck:
    """The length of the member's `text` on `network` as it will be posted (with the item's
    tracked link in place once the link exists), and the organization's guardrails on it,
    for the live checks of the share page. As on submit, the guardrails apply to a text of
    the ambassador's own (not to an unchanged suggested copy). NotFound for an item that is
    not live in the member's organization."""
    item = live_item(membership=membership, item_id=item_id)
    link = existing_link(membership=membership, item_id=item.pk, network=network)
    short = short_url(link.code) if link is not None else ""
    full = intents.compose_text(text, item_link=item.link, short_url=short) if short else text
    posted = intents.posted_text(network, full, short) if short and text.strip() else text
    result, errors = copy_report(network, posted.strip())
    hits: tuple[GuardrailHit, ...] = ()
    variety = None
    if text.strip() and _personalized(item, network, full, short):
        hits = guardrail_hits(organization=membership.organization, text=full, network=network)
        variety = variety_warning(
            organization_id=membership.organization_id,
            membership_id=membership.pk,
            network=network,
            text=full,
        )
    blocked = any(hit.action == "block" for hit in hits)
    return TextCheck(
        network=network,
        length=result.length,
        limit=result.limit,
        remaining=result.remaining,
        ok=result.ok and not blocked,
        errors=errors,
        fits=result.ok,
        blocked=blocked,
        guardrails=hits,
        variety=variety,
    )


def _personalized(item: ContentItem, network: str, full: str, short: str) -> bool:
    """Whether `full` differs from every suggested copy (then it is the ambassador's own
    text, and the guardrails apply), as sharing.services.share_compose decides it."""
    raws = [copy.text for copy in suggested_copies(item, network)] or [item.title]
    suggestions = {
        normalized(
            intents.compose_text(raw, item_link=item.link, short_url=short) if short else raw
        )
        for raw in raws
    }
    return normalized(full) not in suggestions


def existing_link(*, membership: Membership, item_id: int, network: str) -> TrackedLink | None:
    return (
        scoped(TrackedLink, membership.organization_id)
        .filter(membership_id=membership.pk, item_id=item_id, network=network)
        .first()
    )


# --- Shares


def _with_clicks(qs: QuerySet[Share]) -> QuerySet[Share]:
    counted = (
        Click.objects.filter(link_id=OuterRef("link_id"), counted=True)
        .order_by()
        .values("link_id")
        .annotate(total=Count("id"))
        .values("total")
    )
    return qs.annotate(
        clicks=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
    )


def network_order(*, membership: Membership) -> list[str]:
    """Every network, in the order the member uses them: those they shared to most first,
    then those declared in their ambassador profile, then the usual order. One query."""
    shared = scoped(Share, membership.organization_id).filter(membership_id=membership.pk)
    counts = shared.order_by().values("network").annotate(n=Count("id")).values_list("network", "n")
    rows = counts.union(account_selectors.declared_networks(membership=membership), all=True)
    used: dict[str, int] = {}
    for network, n in rows:
        used[network] = max(used.get(network, 0), n)
    usual = {network: index for index, network in enumerate(Network.ALL)}
    return sorted(Network.ALL, key=lambda n: (n not in used, -used.get(n, 0), usual[n]))


def my_shares(*, membership: Membership) -> QuerySet[Share]:
    """The member's own shares, newest first, each with the counted clicks of its link.
    One query per page (the click count is a subquery)."""
    qs = scoped(Share, membership.organization_id).filter(membership_id=membership.pk)
    return _with_clicks(qs.select_related("item", "link")).order_by("-created_at", "-id")


def org_shares(*, membership: Membership, member_id: int | None = None) -> QuerySet[Share]:
    """Every share of the organization (or of one member), for those who may see them."""
    require(membership, "share.view_all")
    qs = scoped(Share, membership.organization_id)
    if member_id is not None:
        qs = qs.filter(membership_id=member_id)
    qs = qs.select_related("item", "link", "membership__user")
    return _with_clicks(qs).order_by("-created_at", "-id")


def shares_page(
    *, membership: Membership, member_id: int | None, offset: int, limit: int
) -> tuple[int, list[Share]]:
    """(total, one page) of the member's shares, or with `member_id` another member's
    (needs `share.view_all`), newest first."""
    if member_id is not None and member_id != membership.pk:
        qs = org_shares(membership=membership, member_id=member_id)
    else:
        qs = my_shares(membership=membership)
    return qs.count(), list(qs[offset : offset + limit])


def my_share(*, membership: Membership, pk: int) -> Share:
    """One of the member's own shares; 404 for anybody else's."""
    qs = _with_clicks(Share.objects.filter(membership_id=membership.pk).select_related("item"))
    return get_scoped_or_404(qs.select_related("link"), membership.organization_id, pk=pk)


def visible_share(*, membership: Membership, pk: int) -> Share:
    """A share the member may read: their own, or any of the organization's with
    `share.view_all`. 404 otherwise (never 403: the id reveals nothing)."""
    qs = Share.objects.select_related("item", "link", "membership__user")
    if not can(membership, "share.view_all"):
        qs = qs.filter(membership_id=membership.pk)
    return get_scoped_or_404(_with_clicks(qs), membership.organization_id, pk=pk)


def recent_shares_of(*, membership: Membership, item_id: int, network: str) -> list[Share]:
    """The member's latest shares of this item on this network (to confirm them)."""
    qs = scoped(Share, membership.organization_id).filter(
        membership_id=membership.pk, item_id=item_id, network=network
    )
    return list(qs.order_by("-created_at", "-id")[:3])


# --- Clicks and conversions


def click_times(
    *,
    organization_id: int,
    network: str,
    since: dt.datetime,
    until: dt.datetime,
    membership_ids: Iterable[int] | QuerySet[Any] | None = None,
    limit: int,
) -> list[dt.datetime]:
    """When the organization's counted clicks on `network` happened (`since` <= at <
    `until`), newest first, at most `limit`; only those of the links of `membership_ids`
    (ids, or a `values("id")` queryset used as a subquery) when given."""
    qs = scoped(Click, organization_id).filter(
        network=network,
        counted=True,
        day__gte=since.date() - dt.timedelta(days=1),
        at__gte=since,
        at__lt=until,
    )
    if membership_ids is not None:
        qs = qs.filter(membership_id_copy__in=membership_ids)
    return list(qs.order_by("-at").values_list("at", flat=True)[:limit])


def click_by_id(*, organization_id: int, click_id: str) -> Click | None:
    """The organization's click with this first-party id (with its link and item)."""
    return (
        scoped(Click, organization_id)
        .filter(click_id=click_id)
        .select_related("link__item")
        .first()
    )


def other_conversions_of_click(*, click: Click, external_id: str) -> int:
    """How many conversions other than `external_id` are attributed to `click`."""
    qs = scoped(Conversion, click.organization_id).filter(click=click)
    return qs.exclude(external_id=external_id).count()


def conversion_by_external_id(*, organization_id: int, external_id: str) -> Conversion:
    return get_scoped_or_404(Conversion, organization_id, external_id=external_id)


def organization_by_slug(slug: str) -> Organization | None:
    """The organization of a public conversion report (pixel, signed POST), or None."""
    return account_selectors.organization_by_slug(slug)


# --- Tracking settings and destinations


def tracking_settings_for(organization_id: int) -> TrackingSettings:
    """The organization's tracking settings; the defaults (unsaved) when never changed."""
    found = scoped(TrackingSettings, organization_id).first()
    return found if found is not None else TrackingSettings(organization_id=organization_id)


def utm_params(
    tracking: Any, *, network: str, campaign_slug: str, membership_id: int, item_id: int
) -> list[tuple[str, str]]:
    """The UTM parameters of one link under `tracking` (a TrackingSettings or any object
    with the same attributes); empty when the organization turned them off."""
    if not tracking.utm_enabled:
        return []
    values = {
        "network": network,
        "campaign": campaign_slug,
        "ambassador": ambassador_pseudonym(membership_id),
        "item": str(item_id),
    }
    templates = (
        tracking.utm_source,
        tracking.utm_medium,
        tracking.utm_campaign,
        tracking.utm_content,
    )
    return [
        (key, utm.render_template(template or "", values))
        for key, template in zip(utm.UTM_KEYS, templates, strict=True)
    ]


@dataclass(frozen=True)
class Destination:
    """Where /l/<code> sends a visitor. Built only for a link whose item is live."""

    organization_id: int
    link_id: int
    item_id: int
    membership_id: int
    network: str
    campaign_id: int | None
    url_with_utm: str
    fallback_url: str
    owner_user_id: int = 0  # the sharer's user: their own clicks are not counted


@dataclass(frozen=True)
class _Tracking:
    utm_enabled: bool
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str


_DEFAULTS = TrackingSettings()


def _or_default(value: Any, name: str) -> Any:
    return getattr(_DEFAULTS, name) if value is None else value


def destination_for_code(code: str, *, now: dt.datetime | None = None) -> Destination | None:
    """The destination of a short code, in one query; None when the code is unknown, its
    item is not live (draft, scheduled, expired, archived), or the item's link is not an
    http(s) URL. The URL is the item's link with the organization's UTM parameters merged
    (see `utm.merge_params`: existing query and fragment kept, existing utm_* keys win)."""
    if not is_code(code):
        return None
    now = now or clock.now()
    row = (
        TrackedLink.objects.filter(live_links_q(now), code=code)
        .values(
            "id",
            "organization_id",
            "item_id",
            "membership_id",
            "network",
            owner_user_id=F("membership__user_id"),
            item_link=F("item__link"),
            campaign=F("item__campaign_id"),
            campaign_slug=F("item__campaign__slug"),
            t_enabled=F("organization__tracking__utm_enabled"),
            t_source=F("organization__tracking__utm_source"),
            t_medium=F("organization__tracking__utm_medium"),
            t_campaign=F("organization__tracking__utm_campaign"),
            t_content=F("organization__tracking__utm_content"),
            t_fallback=F("organization__tracking__fallback_url"),
        )
        .first()
    )
    if row is None or not row["item_link"]:
        return None
    tracking = _Tracking(
        utm_enabled=_or_default(row["t_enabled"], "utm_enabled"),
        utm_source=_or_default(row["t_source"], "utm_source"),
        utm_medium=_or_default(row["t_medium"], "utm_medium"),
        utm_campaign=_or_default(row["t_campaign"], "utm_campaign"),
        utm_content=_or_default(row["t_content"], "utm_content"),
    )
    params = utm_params(
        tracking,
        network=row["network"],
        campaign_slug=row["campaign_slug"] or "",
        membership_id=row["membership_id"],
        item_id=row["item_id"],
    )
    url = utm.merge_params(row["item_link"], params)
    if url is None:
        return None
    return Destination(
        organization_id=row["organization_id"],
        link_id=row["id"],
        item_id=row["item_id"],
        membership_id=row["membership_id"],
        network=row["network"],
        campaign_id=row["campaign"],
        url_with_utm=url,
        fallback_url=utm.safe_destination(row["t_fallback"] or "") or "",
        owner_user_id=row["owner_user_id"] or 0,
    )


def fallback_for_code(code: str) -> str | None:
    """For a code that has no destination (see `destination_for_code`): the fallback URL
    of the link's organization, or None (unknown code, or no fallback: show the 404 page).
    Never anything but an http(s) URL."""
    if not is_code(code):
        return None
    value = (
        TrackedLink.objects.filter(code=code)
        .values_list("organization__tracking__fallback_url", flat=True)
        .first()
    )
    return utm.safe_destination(value or "") if value else None


def shared_pairs(*, membership_ids: Iterable[int], item_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(membership id, item id) of those of `membership_ids` who shared any of `item_ids`
    (opened, confirmed or published; removed shares count too: they were shared), one query."""
    items = list(item_ids)
    if not items:
        return set()
    rows = Share.objects.filter(membership_id__in=list(membership_ids), item_id__in=items)
    return set(rows.order_by().values_list("membership_id", "item_id").distinct())


def post_text(copy_text: str, *, item_link: str, short_url: str) -> str:
    """A suggested copy as the ambassador posts it: the item's link replaced by
    `short_url`, or `short_url` appended (what the share page's "copy text" gives)."""
    return intents.compose_text(copy_text, item_link=item_link, short_url=short_url)


def items_of_links(link_ids: Iterable[int]) -> dict[int, int]:
    """{link id: item id} of these tracked links, one query."""
    ids = list(set(link_ids))
    return dict(TrackedLink.objects.filter(pk__in=ids).values_list("pk", "item_id")) if ids else {}


def item_click_total(*, organization_id: int, item_id: int) -> int:
    """The counted clicks of every tracked link of an item (through the links' index)."""
    links = scoped(TrackedLink, organization_id).filter(item_id=item_id).values("pk")
    return Click.objects.filter(link_id__in=links, counted=True).count()
