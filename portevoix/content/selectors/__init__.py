"""Reads of the content library and the ambassador feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

from portevoix.accounts.permissions import can, require
from portevoix.core import clock, search
from portevoix.core.context_processors import NavBadge
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped

from ..models import (
    Approval,
    Campaign,
    ContentImage,
    ContentItem,
    NetworkCopy,
    State,
    Topic,
    Transition,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import AmbassadorProfile, Membership

PUBLISHABLE_STATES = (State.APPROVED, State.LIVE)

M = TypeVar("M", bound=Model)
Choice = tuple[int, str]


def page_of(qs: QuerySet[M], *, offset: int, limit: int) -> tuple[int, list[M]]:
    """The total count of `qs` and the rows of one limit/offset page (for the API)."""
    return qs.count(), list(qs[offset : offset + limit])


def effective_state(item: ContentItem, now: dt.datetime | None = None) -> str:
    """The state a reader should see: approved items past publish-at are live, past
    expire-at expired, even before the periodic job has recorded it."""
    now = now or clock.now()
    if item.state in PUBLISHABLE_STATES:
        if item.expire_at is not None and item.expire_at <= now:
            return State.EXPIRED
        if item.publish_at is None or item.publish_at <= now:
            return State.LIVE
        return State.APPROVED
    return item.state


def live_q(now: dt.datetime) -> Q:
    """The one definition of 'reaches ambassadors': approved, published, not expired."""
    return (
        Q(state__in=PUBLISHABLE_STATES)
        & (Q(publish_at__isnull=True) | Q(publish_at__lte=now))
        & (Q(expire_at__isnull=True) | Q(expire_at__gt=now))
    )


def library_items(
    *,
    membership: Membership,
    state: str | None = None,
    search: str | None = None,
    language: str | None = None,
    campaign_id: int | None = None,
) -> QuerySet[ContentItem]:
    require(membership, "content.view_library")
    qs = (
        scoped(ContentItem, membership.organization)
        .select_related("campaign", "author")
        .prefetch_related("topics")
        .annotate(copy_count=Count("copies", distinct=True))
    )
    now = clock.now()
    if state == State.LIVE:
        qs = qs.filter(live_q(now))
    elif state == State.EXPIRED:
        qs = qs.filter(Q(state=State.EXPIRED) | Q(state__in=PUBLISHABLE_STATES, expire_at__lte=now))
    elif state == State.APPROVED:
        qs = qs.filter(state__in=PUBLISHABLE_STATES, publish_at__gt=now).exclude(expire_at__lte=now)
    elif state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    if language:
        qs = qs.filter(language=language)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.order_by("-updated_at", "-id")


def item_for_editor(*, membership: Membership, pk: int) -> ContentItem:
    require(membership, "content.view_library")
    qs = ContentItem.objects.select_related("campaign", "author").prefetch_related(
        "topics", "copies", "images"
    )
    return get_scoped_or_404(qs, membership.organization, pk=pk)


def item_history(*, item: ContentItem) -> QuerySet[Transition]:
    return item.transitions.select_related("actor").order_by("at", "id")


def item_approvals(*, item: ContentItem) -> QuerySet[Approval]:
    return item.approvals.filter(revision=item.revision).select_related("approver")


def item_allowed_actions(
    *, membership: Membership, item: ContentItem, approved_by_me: bool | None = None
) -> dict[str, bool]:
    """The workflow: which actions `membership` may take on `item` in its current state.

    `approved_by_me`: whether the member already approved the current revision (read from
    the database when not given). The services enforce the same rules on each action."""
    if approved_by_me is None:
        approved_by_me = any(a.approver_id == membership.user_id for a in item_approvals(item=item))
    state = item.state
    in_review = state == State.IN_REVIEW
    return {
        "edit": can(membership, "content.edit", item) and state != State.ARCHIVED,
        "submit": can(membership, "content.submit", item)
        and state in {State.DRAFT, State.CHANGES_REQUESTED},
        "approve": in_review and not approved_by_me and can(membership, "content.approve", item),
        "request_changes": in_review and can(membership, "content.request_changes", item),
        "comment": can(membership, "content.view_history", item),
        "archive": state != State.ARCHIVED and can(membership, "content.archive", item),
        "restore": state == State.ARCHIVED and can(membership, "content.archive", item),
    }


def ambassador_profile(membership: Membership) -> AmbassadorProfile | None:
    try:
        return membership.ambassador
    except ObjectDoesNotExist:  # accounts' AmbassadorProfile.DoesNotExist
        return None


@dataclass(frozen=True)
class FeedFilters:
    """What the ambassador narrows their feed to (each empty: no filter)."""

    topic_id: int | None = None
    campaign_id: int | None = None
    network: str = ""  # items with a copy for it, or with no copy at all
    content_type: str = ""
    query: str = ""  # words to find in the title and body, accents and case aside

    @property
    def active(self) -> bool:
        return bool(
            self.topic_id or self.campaign_id or self.network or self.content_type or self.query
        )


@dataclass
class FeedSlice:
    """One page of the feed: its items (ranked, copies prefetched, `first_image` and
    `first_image_alt` annotated, `is_new` 1 or 0), how many items the whole feed has and
    how many of them are new since `since`."""

    items: list[Any]  # ContentItem rows with the annotations above
    total: int
    new: int


def _feed_filtered(qs: QuerySet[ContentItem], filters: FeedFilters) -> QuerySet[ContentItem]:
    if filters.topic_id:
        tagged = ContentItem.topics.through.objects.filter(
            contentitem_id=OuterRef("pk"), topic_id=filters.topic_id
        )
        qs = qs.filter(Exists(tagged))
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    if filters.network:
        copies = NetworkCopy.objects.filter(item_id=OuterRef("pk"))
        qs = qs.filter(Exists(copies.filter(network=filters.network)) | ~Exists(copies))
    if filters.content_type:
        qs = qs.filter(content_type=filters.content_type)
    for term in search.query_terms(filters.query):
        qs = qs.filter(search_text__contains=term)
    return qs


def _feed_ranked(
    membership: Membership,
    now: dt.datetime | None,
    since: dt.datetime | None,
    filters: FeedFilters | None,
) -> QuerySet[ContentItem]:
    """Live content in the ambassador's languages, filtered, ranked: important and featured
    first, then new since `since`, then by matching interests, priority, newest. One query:
    the interests are a subquery, not a query of their own."""
    require(membership, "feed.view")
    now = now or clock.now()
    profile = ambassador_profile(membership)
    languages = list(profile.languages) if profile and profile.languages else ["fr", "en"]
    qs = scoped(ContentItem, membership.organization_id).filter(live_q(now), language__in=languages)
    qs = _feed_filtered(qs, filters or FeedFilters())
    # When the item reached ambassadors (live_at is set by the approval; the others are for
    # rows written without the service).
    qs = qs.annotate(live_since=Coalesce("live_at", "publish_at", "created_at"))
    if since is not None:
        qs = qs.annotate(is_new=Case(When(live_since__gt=since, then=Value(1)), default=Value(0)))
    else:
        qs = qs.annotate(is_new=Value(0))
    if profile is not None:
        interests = profile.interests.values("pk")  # a subquery: no query of its own
        through: Any = ContentItem.topics.through  # the m2m table, typed loosely
        matching = (
            through.objects.filter(contentitem_id=OuterRef("pk"), topic_id__in=interests)
            .order_by()
            .values("contentitem_id")
            .annotate(n=Count("topic_id"))
            .values("n")
        )
        qs = qs.annotate(interest_match=Coalesce(Subquery(matching), Value(0)))
    else:
        qs = qs.annotate(interest_match=Value(0))
    return qs.select_related("campaign").order_by(
        "-important",
        "-featured",
        "-is_new",
        "-interest_match",
        "-priority",
        "-live_since",
        "-id",
    )


def feed_items(
    *,
    membership: Membership,
    now: dt.datetime | None = None,
    since: dt.datetime | None = None,
    filters: FeedFilters | None = None,
) -> QuerySet[ContentItem]:
    """The ambassador's feed, best first (see `_feed_ranked`), with the campaign, copies and
    images: one indexed query per page plus two prefetches."""
    return _feed_ranked(membership, now, since, filters).prefetch_related(
        Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant")),
        "images",
    )


def feed_slice(
    *,
    membership: Membership,
    offset: int,
    limit: int,
    since: dt.datetime | None = None,
    filters: FeedFilters | None = None,
    now: dt.datetime | None = None,
) -> FeedSlice:
    """One page of the feed for the feed page, in two queries whatever its size: the items
    with the feed's total and new counts (window functions over the whole filtered feed)
    and their first image (subqueries), then their copies."""
    images = ContentImage.objects.filter(item_id=OuterRef("pk")).order_by("position", "id")
    qs = (
        _feed_ranked(membership, now, since, filters)
        .annotate(
            first_image=Subquery(images.values("file")[:1]),
            first_image_alt=Subquery(images.values("alt_text")[:1]),
            feed_total=Window(Count("pk")),
            feed_new=Window(Sum("is_new")),
        )
        .prefetch_related(
            Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant"))
        )
        .defer("body", "search_text")  # the card shows body_html
    )
    items = list(qs[offset : offset + limit])
    if not items:
        return FeedSlice(items=[], total=0, new=0)
    head: Any = items[0]
    return FeedSlice(items=items, total=head.feed_total, new=head.feed_new or 0)


def feed_filter_choices(*, membership: Membership) -> tuple[list[Choice], list[Choice]]:
    """The organization's topics and campaigns as (id, name), by name: the choices of the
    feed's filters, in one query."""
    label = Value("t", output_field=CharField())
    topics = scoped(Topic, membership.organization_id).values_list(label, "pk", "name")
    label = Value("c", output_field=CharField())
    campaigns = scoped(Campaign, membership.organization_id).values_list(label, "pk", "name")
    rows = sorted(topics.order_by().union(campaigns.order_by(), all=True), key=lambda r: r[2])
    return (
        [(pk, name) for kind, pk, name in rows if kind == "t"],
        [(pk, name) for kind, pk, name in rows if kind == "c"],
    )


def topics(*, membership: Membership) -> QuerySet[Topic]:
    return scoped(Topic, membership.organization).order_by("name")


def campaigns(*, membership: Membership) -> QuerySet[Campaign]:
    return scoped(Campaign, membership.organization).order_by("name")


# --- Reads offered to other apps (no permission check: the caller has authorized)


def item_of_organization(*, organization_id: int, item_id: int) -> ContentItem:
    """An item of the organization, whatever its state; `NotFound` otherwise."""
    return get_scoped_or_404(ContentItem, organization_id, pk=item_id)


def live_item(*, organization_id: int, item_id: int, now: dt.datetime | None = None) -> ContentItem:
    """A live item of the organization (see `live_q`) with its campaign and its copies
    prefetched (by network and variant); `NotFound` otherwise (draft, scheduled, expired,
    archived, or another organization's)."""
    qs = (
        ContentItem.objects.filter(live_q(now or clock.now()))
        .select_related("campaign")
        .prefetch_related(
            Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant"))
        )
    )
    return get_scoped_or_404(qs, organization_id, pk=item_id)


def item_visible_to(*, membership: Membership, item_id: int) -> ContentItem:
    """An item the member can see: in the library (`content.view_library`), else in their
    feed (`feed.view`); `NotFound` otherwise. What a member may report to moderation."""
    if can(membership, "content.view_library"):
        qs = library_items(membership=membership)
    elif can(membership, "feed.view"):
        qs = feed_items(membership=membership)
    else:
        raise NotFound("Not found.")
    item = qs.filter(pk=item_id).first()
    if item is None:
        raise NotFound("Not found.")
    return item


def campaign_exists(*, organization_id: int, campaign_id: int) -> bool:
    return scoped(Campaign, organization_id).filter(pk=campaign_id).exists()


def item_content_types(*, organization_id: int, item_ids: Iterable[int]) -> dict[int, str]:
    """{item id: content type} of the organization's items among `item_ids` (one query)."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    rows = scoped(ContentItem, organization_id).filter(pk__in=ids)
    return dict(rows.values_list("pk", "content_type"))


def item_titles(*, organization_id: int, item_ids: Iterable[int]) -> dict[int, str]:
    """{item id: title} for the organization's items among `item_ids`."""
    return dict(
        scoped(ContentItem, organization_id).filter(pk__in=item_ids).values_list("pk", "title")
    )


def campaign_names(*, organization_id: int, campaign_ids: Iterable[int]) -> dict[int, str]:
    """{campaign id: name} for the organization's campaigns among `campaign_ids`."""
    return dict(
        scoped(Campaign, organization_id).filter(pk__in=campaign_ids).values_list("pk", "name")
    )


def item_campaigns(*, organization_id: int) -> QuerySet[ContentItem, Any]:
    """The organization's items as `values("id", "campaign_id")` rows (campaign_id None when
    the item has none): a queryset to compile and join in SQL (analytics' rollups)."""
    return scoped(ContentItem, organization_id).order_by().values("id", "campaign_id")


def approvals_waiting_for(*, membership: Membership) -> QuerySet[ContentItem]:
    """The items in review that wait for this member's signature, oldest submission first
    (`submitted_at`, the time of the latest "submit"): not their own, not already approved by
    them at this revision, and at the step they may sign (a regular approval while approvals
    are missing; the final one once the regular ones are in, where the organization asks for
    it). Empty for a member who approves nothing."""
    org = membership.organization
    may_approve = can(membership, "content.approve")
    may_sign_final = org.final_approval_required and can(membership, "content.approve_final")
    if not (may_approve or may_sign_final):
        return ContentItem.objects.none()
    regular = (
        Approval.objects.filter(item=OuterRef("pk"), revision=OuterRef("revision"), is_final=False)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    submitted = (
        Transition.objects.filter(item=OuterRef("pk"), action="submit")
        .order_by("-at")
        .values("at")[:1]
    )
    step = Q()
    if may_approve:
        step |= Q(regular_approvals__lt=org.approvals_required)
    if may_sign_final:
        step |= Q(regular_approvals__gte=org.approvals_required)
    return (
        scoped(ContentItem, membership.organization_id)
        .filter(state=State.IN_REVIEW)
        .exclude(author_id=membership.user_id)
        .exclude(
            Exists(
                Approval.objects.filter(
                    item=OuterRef("pk"), revision=OuterRef("revision"), approver=membership.user_id
                )
            )
        )
        .annotate(
            regular_approvals=Coalesce(Subquery(regular), 0),
            submitted_at=Subquery(submitted),
        )
        .filter(step)
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )


def approvals_waiting_count(*, membership: Membership) -> int:
    """How many items wait for this member's signature (the count in the navigation)."""
    return approvals_waiting_for(membership=membership).count()


def approvals_badge(membership: Membership) -> NavBadge:
    """The count next to "Approvals" in the navigation (`settings.NAV_BADGE_PROVIDERS`):
    the items waiting for this member's signature, in one query."""
    count = approvals_waiting_count(membership=membership)
    label = ngettext("%(n)d waiting for you", "%(n)d waiting for you", count) % {"n": count}
    return NavBadge(count=count, label=label)


def item_origins(*, item: ContentItem) -> list[tuple[str, str]]:
    """Where an item came from (an accepted idea...), for its page: each provider named in
    `settings.CONTENT_ORIGIN_PROVIDERS` takes `item=` and answers (label, local url) or None.
    Content imports none of the apps that make drafts (docs/decisions/0007-idea-origin.md)."""
    found = []
    for path in getattr(settings, "CONTENT_ORIGIN_PROVIDERS", ()):
        origin = import_string(path)(item=item)
        if origin is not None:
            found.append((str(origin[0]), str(origin[1])))
    return found


def item_actions(*, membership: Membership, item: ContentItem) -> list[tuple[str, str]]:
    """Links to what other apps offer on an item's page (drafting copies with the
    organization's model...): each provider named in `settings.CONTENT_ITEM_ACTION_PROVIDERS`
    takes `membership=` and `item=` and answers (label, local url) or None. Content imports
    none of them (docs/decisions/0030-drafting-assistance.md)."""
    found = []
    for path in getattr(settings, "CONTENT_ITEM_ACTION_PROVIDERS", ()):
        action = import_string(path)(membership=membership, item=item)
        if action is not None:
            found.append((str(action[0]), str(action[1])))
    return found


def organizations_with_reviews_due(*, before: dt.datetime) -> list[int]:
    """The ids of the organizations with an item in review due before `before` (the
    approvers' reminder walks them)."""
    return list(
        ContentItem.objects.filter(state=State.IN_REVIEW, review_due_at__lte=before)
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )


# The reads of the homes and the calendar live in their own modules (the size rule).
from .copies import ReadyPost as ReadyPost  # noqa: E402
from .copies import ready_posts as ready_posts  # noqa: E402
from .planning import CALENDAR_STATES as CALENDAR_STATES  # noqa: E402
from .planning import calendar_items as calendar_items  # noqa: E402
from .planning import campaigns_between as campaigns_between  # noqa: E402
from .version import content_version as content_version  # noqa: E402
from .worklist import AuthorWorklist as AuthorWorklist  # noqa: E402
from .worklist import author_worklist as author_worklist  # noqa: E402
from .worklist import has_published_content as has_published_content  # noqa: E402
