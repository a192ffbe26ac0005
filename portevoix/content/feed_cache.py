"""The ambassador feed page's caches (docs/decisions/0004-feed-cache.md).

Ranking every live item for each page view is the feed's cost at scale (5,000 live items:
28 ms on SQLite, 53 ms on PostgreSQL a page), and rendering its cards is the other. So:

- the organization's feed has a version number (`FeedVersion`, in the database so that every
  web process and the worker see the same one), moved by any write of an item, its copies,
  images or topics, a topic or a campaign (Django's model signals: `connect_receivers`);
- the ranked ids of one feed (organization, version, the viewer's languages, interests and
  last visit, the filters) are cached for `FEED_CACHE_SECONDS`, and never past the moment an
  item of the organization is due to go live or to expire: a page is then a slice of it;
- the rows of a page are read by id only when a card must be rendered (`PageRows`);
- the filters' choices are cached per organization and version.

The card fragments themselves are cached by the `feed_cards` template tag
(templatetags/content_feed.py), keyed by the same version.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Min, OuterRef, Prefetch, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock, prepared
from portevoix.core.tenancy import scoped

from .models import (
    Approval,
    Campaign,
    ContentImage,
    ContentItem,
    FeedVersion,
    NetworkCopy,
    Topic,
)
from .selectors import (
    PUBLISHABLE_STATES,
    Choice,
    FeedFilters,
    _feed_ranked,
    ambassador_profile,
    feed_filter_choices,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# How many ranked ids a cached ranking keeps (100 pages; 8 bytes each): a deeper page is
# ranked for itself. Bounds an entry to a few KB whatever the size of the feed.
CACHED_IDS = 1000


def _seconds() -> int:
    return int(getattr(settings, "FEED_CACHE_SECONDS", 120))


# --- The version


def bump(organization_id: int, *, create: bool = True) -> None:
    """Move the organization's feed version: every cached ranking and card of its feed is
    stale from now on (in the writer's transaction: readers see the new number only with
    the change itself). `create`: make the row when the organization has none yet (not on a
    delete: deleting an organization deletes its row before its items)."""
    rows = scoped(FeedVersion, organization_id)
    # A random number, not a count: a database restored or recreated (the tests' too) never
    # meets the cached entries of an earlier life under the same organization id.
    if rows.update(version=secrets.randbits(62)) or not create:
        return
    FeedVersion.objects.get_or_create(organization_id=organization_id)
    rows.update(version=secrets.randbits(62))


def _organization_of(instance: Any) -> int | None:
    if isinstance(instance, (ContentItem, Topic, Campaign)):
        return instance.organization_id
    item_id = getattr(instance, "item_id", None)
    if item_id is None:
        return None
    item = instance._state.fields_cache.get("item")  # set when read through item.copies
    if item is not None:
        return int(item.organization_id)
    found = ContentItem.objects.filter(pk=item_id).values_list("organization_id", flat=True)
    return next(iter(found), None)


def _on_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures loading
        return
    organization_id = _organization_of(instance)
    if organization_id is not None:
        bump(organization_id)
        _frame_changed(instance, organization_id, create=True)


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    organization_id = _organization_of(instance)
    if organization_id is not None:
        bump(organization_id, create=False)
        _frame_changed(instance, organization_id, create=False)


def _frame_changed(instance: Any, organization_id: int, *, create: bool) -> None:
    """The page frame (accounts/frame.py) shows the approvals waiting (an item's state,
    revision, approvals) and the paused campaigns' names: its organization's version moves
    with them."""
    if isinstance(instance, (ContentItem, Campaign, Approval)):
        frame.bump_organization(organization_id, create=create)


def _on_approval(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    organization_id = _organization_of(instance)
    if organization_id is not None:
        _frame_changed(instance, organization_id, create=kwargs.get("signal") is post_save)


def _on_topics(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, ContentItem):
        bump(instance.organization_id)


def connect_receivers() -> None:
    """Bump the version on every write the feed shows (ContentConfig.ready)."""
    for model in (ContentItem, NetworkCopy, ContentImage, Topic, Campaign):
        name = model.__name__
        post_save.connect(_on_save, sender=model, dispatch_uid=f"feed-version-save-{name}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"feed-version-del-{name}")
    m2m_changed.connect(_on_topics, sender=ContentItem.topics.through, dispatch_uid="feed-topics")
    post_save.connect(_on_approval, sender=Approval, dispatch_uid="frame-approval-save")
    post_delete.connect(_on_approval, sender=Approval, dispatch_uid="frame-approval-delete")


@dataclass(frozen=True)
class Stamp:
    """What a viewer's feed depends on besides the content: the organization's version
    and the viewer's interests (topic ids), read together in one query."""

    organization_id: int
    version: int
    interests: tuple[int, ...]


# The organization's feed version, read with every request's membership (accounts'
# `ride_with_membership`, registered by `ride()` from the app's `ready()`).
FEED_VERSION = "_portevoix_feed_version"
_NOT_READ = object()


def _feed_version_sql(alias: str, organization_id: str) -> str:
    quote = connections[alias].ops.quote_name
    versions = FeedVersion._meta
    return (
        f"SELECT {quote(versions.get_field('version').column)}"  # noqa: S608 - names from meta
        f" FROM {quote(versions.db_table)}"
        f" WHERE {quote(versions.get_field('organization').column)} = {organization_id}"
    )


def ride() -> None:
    account_selectors.ride_with_membership(
        account_selectors.MembershipRider(FEED_VERSION, _feed_version_sql)
    )


def stamp(*, membership: Membership) -> Stamp:
    """The organization's feed version and the member's interests: read with the request's
    membership when it was (no query), else in one query (plain SQL built once per process:
    every feed view reads it, and the ORM's union cost more to compile than to run)."""
    profile = ambassador_profile(membership)
    version: Any = getattr(membership, FEED_VERSION, _NOT_READ)  # through the lazy proxy
    if version is not _NOT_READ:
        read = () if profile is None else account_selectors.interest_ids_read(profile)
        if read is not None:
            return Stamp(
                organization_id=membership.organization_id,
                version=int(version or 0),  # no row yet: 0, as the query reads it
                interests=read,
            )
    alias = router.db_for_read(FeedVersion)
    with prepared.cursor(alias) as cursor:
        if profile is None:
            cursor.execute(_version_sql(alias), [membership.organization_id])
        else:
            interests = type(profile)._meta.get_field("interests")
            cursor.execute(
                _interests_sql(alias, interests), [membership.organization_id, profile.pk]
            )
        found = cursor.fetchall()
    return Stamp(
        organization_id=membership.organization_id,
        version=next((int(n) for kind, n in found if kind == 0), 0),
        interests=tuple(sorted(int(n) for kind, n in found if kind == 1)),
    )


@functools.cache
def _version_sql(alias: str) -> str:
    """The organization's feed version (0 in the first column). Names from the models'
    meta, quoted; the values are parameters."""
    quote = connections[alias].ops.quote_name
    versions = FeedVersion._meta
    return (
        f"SELECT 0, {quote(versions.get_field('version').column)}"  # noqa: S608
        f" FROM {quote(versions.db_table)}"
        f" WHERE {quote(versions.get_field('organization').column)} = %s"
    )


@functools.cache
def _interests_sql(alias: str, interests: Any) -> str:
    """The version, then the profile's interests (1: a topic id), from the table of the
    profile's `interests` field."""
    quote = connections[alias].ops.quote_name
    through = interests.remote_field.through._meta
    return (
        f"{_version_sql(alias)} UNION ALL SELECT 1, {quote(interests.m2m_reverse_name())}"  # noqa: S608
        f" FROM {quote(through.db_table)} WHERE {quote(interests.m2m_column_name())} = %s"
    )


def filter_choices(*, membership: Membership, stamp: Stamp) -> tuple[list[Choice], list[Choice]]:
    """The filters' topics and campaigns (`selectors.feed_filter_choices`), cached per
    organization and version."""
    key = f"feed:choices:{stamp.organization_id}:{stamp.version}"
    found = cache.get(key)
    if found is None:
        found = feed_filter_choices(membership=membership)
        cache.set(key, found, _seconds())
    return found


# --- The ranking


@dataclass
class Ranking:
    """A feed's first `CACHED_IDS` ranked item ids, which of them are new, the feed's total
    and new counts, and until when it holds."""

    ids: array[int]
    new: bytes  # 1 or 0 per id
    total: int
    new_count: int
    valid_until: float  # a timestamp: an item goes live or expires then


def viewer_languages(membership: Membership) -> tuple[str, ...]:
    """The languages the ambassador reads content in (their profile, read with the
    membership): part of what their feed depends on."""
    profile = ambassador_profile(membership)
    return tuple(profile.languages) if profile and profile.languages else ()


def _ranking_key(membership: Membership, stamp: Stamp, since: Any, filters: FeedFilters) -> str:
    languages = viewer_languages(membership)
    since_key = since.isoformat() if since is not None else ""
    viewer = repr((languages, stamp.interests, since_key, filters))
    digest = hashlib.blake2b(viewer.encode(), digest_size=16).hexdigest()
    return f"feed:rank:{stamp.organization_id}:{stamp.version}:{digest}"


def _rank(
    membership: Membership, since: dt.datetime | None, filters: FeedFilters, now: dt.datetime
) -> Ranking:
    """Rank the feed: a narrow query (ids and what the cache needs, no row), and the next
    moment an item of the organization goes live (the ranking holds until then)."""
    ranked: Any = _feed_ranked(membership, now, since, filters)  # `is_new`: an annotation
    rows = ranked.values_list("pk", "is_new", "expire_at")
    ids, new = array("q"), bytearray()
    total = new_count = 0
    until = now + dt.timedelta(seconds=_seconds())
    for pk, is_new, expire_at in rows:
        if total < CACHED_IDS:
            ids.append(pk)
            new.append(1 if is_new else 0)
        total += 1
        new_count += 1 if is_new else 0
        if expire_at is not None and expire_at < until:
            until = expire_at
    upcoming = (
        scoped(ContentItem, membership.organization_id)
        .filter(state__in=PUBLISHABLE_STATES, publish_at__gt=now)
        .aggregate(at=Min("publish_at"))["at"]
    )
    if upcoming is not None and upcoming < until:
        until = upcoming
    return Ranking(
        ids=ids, new=bytes(new), total=total, new_count=new_count, valid_until=until.timestamp()
    )


def ranking(
    *,
    membership: Membership,
    stamp: Stamp,
    since: dt.datetime | None,
    filters: FeedFilters,
    now: dt.datetime | None = None,
) -> Ranking:
    """The feed's ranked ids (see `selectors._feed_ranked`), from the cache when it holds."""
    now = now or clock.now()
    key = _ranking_key(membership, stamp, since, filters)
    found: Ranking | None = cache.get(key)
    if found is None or found.valid_until <= now.timestamp():
        found = _rank(membership, since, filters, now)
        ttl = min(_seconds(), int(found.valid_until - now.timestamp()) + 1)
        cache.set(key, found, max(1, ttl))
    return found


# --- A page


class PageRows:
    """The rows of a page's items, read in two queries (the items with their campaign and
    first image, then their copies) the first time a card needs one; none when every card
    comes from the cache."""

    def __init__(self, organization_id: int, ids: list[int]) -> None:
        self.organization_id = organization_id
        self.ids = ids
        self._rows: dict[int, ContentItem] | None = None

    def _read(self) -> dict[int, ContentItem]:
        if self._rows is None:
            images = ContentImage.objects.filter(item_id=OuterRef("pk")).order_by("position", "id")
            qs = (
                scoped(ContentItem, self.organization_id)
                .filter(pk__in=self.ids)
                .select_related("campaign")
                .annotate(
                    first_image=Subquery(images.values("file")[:1]),
                    first_image_alt=Subquery(images.values("alt_text")[:1]),
                )
                .prefetch_related(
                    Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant"))
                )
                .defer("body", "search_text")
            )
            self._rows = {item.pk: item for item in qs}
        return self._rows

    def has(self, pk: int) -> bool:
        """Whether the item still exists (deleted since the ranking was cached: no card)."""
        return pk in self._read()

    def get(self, pk: int) -> ContentItem:
        return self._read()[pk]


class LazyItem:
    """An item of the page known by its id: any other attribute reads the page's rows
    (`PageRows`, once for the whole page)."""

    def __init__(self, pk: int, rows: PageRows) -> None:
        self.__dict__["pk"] = pk
        self.__dict__["id"] = pk
        self.__dict__["_page_rows"] = rows

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        row = self._page_rows._read().get(self.pk)
        if row is None:  # deleted since the ranking was read
            raise AttributeError(name)
        return getattr(row, name)


@dataclass
class PageCard:
    """An item of the page (lazy: `LazyItem`) and whether it is new to the viewer."""

    item: LazyItem
    is_new: bool


@dataclass
class FeedPage:
    """One page of the feed: its items (lazy: `LazyItem`), whether each is new, the feed's
    total and new counts, and the organization's version (the cards' cache key)."""

    items: list[LazyItem]
    new_flags: list[bool]
    total: int
    new: int
    version: int
    organization_id: int
    rows: PageRows | None = field(default=None, repr=False)
    # When the ranking stops holding (an item goes live or expires): a timestamp.
    valid_until: float | None = None

    @property
    def cards(self) -> list[PageCard]:
        return [PageCard(item, new) for item, new in zip(self.items, self.new_flags, strict=True)]


def feed_page(
    *,
    membership: Membership,
    stamp: Stamp,
    offset: int,
    limit: int,
    since: dt.datetime | None,
    filters: FeedFilters,
) -> FeedPage:
    """One page of the feed from the cached ranking; no query when the ranking is cached
    (past its first `CACHED_IDS` items, one narrow query for the page's ids)."""
    ranked = ranking(membership=membership, stamp=stamp, since=since, filters=filters)
    if offset + limit <= len(ranked.ids) or len(ranked.ids) == ranked.total:
        ids = list(ranked.ids[offset : offset + limit])
        flags = [bool(flag) for flag in ranked.new[offset : offset + limit]]
    else:
        deep: Any = _feed_ranked(membership, None, since, filters)
        found = list(deep.values_list("pk", "is_new")[offset : offset + limit])
        ids, flags = [pk for pk, _ in found], [bool(is_new) for _, is_new in found]
    rows = PageRows(membership.organization_id, ids)
    return FeedPage(
        items=[LazyItem(pk, rows) for pk in ids],
        new_flags=flags,
        total=ranked.total,
        new=ranked.new_count,
        version=stamp.version,
        organization_id=membership.organization_id,
        rows=rows,
        valid_until=ranked.valid_until,
    )
