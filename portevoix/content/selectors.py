"""Reads of the content library and the ambassador feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model, Prefetch, Q, QuerySet, Value

from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped_or_404, scoped

from .models import Approval, Campaign, ContentItem, NetworkCopy, State, Topic, Transition

if TYPE_CHECKING:
    from portevoix.accounts.models import AmbassadorProfile, Membership

PUBLISHABLE_STATES = (State.APPROVED, State.LIVE)

M = TypeVar("M", bound=Model)


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


def feed_items(*, membership: Membership, now: dt.datetime | None = None) -> QuerySet[ContentItem]:
    """Live content in the ambassador's languages, ranked by matching interests, with
    important and featured items first. One indexed query per page plus two prefetches."""
    require(membership, "feed.view")
    now = now or clock.now()
    profile = ambassador_profile(membership)
    languages = list(profile.languages) if profile and profile.languages else ["fr", "en"]
    interest_ids = list(profile.interests.values_list("pk", flat=True)) if profile else []
    qs = scoped(ContentItem, membership.organization_id).filter(live_q(now), language__in=languages)
    if interest_ids:
        qs = qs.annotate(
            interest_match=Count("topics", filter=Q(topics__in=interest_ids), distinct=True)
        )
    else:
        qs = qs.annotate(interest_match=Value(0))
    return (
        qs.select_related("campaign")
        .prefetch_related(
            Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant")),
            "images",
        )
        .order_by("-important", "-featured", "-interest_match", "-priority", "-publish_at", "-id")
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
