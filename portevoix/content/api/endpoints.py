"""Endpoints of the content API: the library, its approval workflow, the feed and the
taxonomy.

Endpoints only parse, authorize (through services and selectors, which call
`permissions.require`), call a service or selector, and return a schema.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from portevoix.accounts.permissions import require
from portevoix.accounts.services import api_token_resolve
from portevoix.core import api_support, clock
from portevoix.core.api_support import (
    BodyId,
    DbId,
    PageParams,
    SessionMembershipAuth,
    TokenAuth,
    responses,
)
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network, check_copy

from .. import selectors, services
from ..models import Campaign, ContentImage, ContentItem, NetworkCopy, Topic, Transition
from ..services import bulk
from .schemas import (
    OPTIONAL_COMMENT,
    ActionIn,
    ApprovalOut,
    CampaignIn,
    CampaignOut,
    CheckCopyIn,
    CheckCopyOut,
    CommentIn,
    CopyCheckOut,
    CopyIn,
    CopyOut,
    FeedItemOut,
    FeedPageOut,
    ImageOut,
    ItemDetailOut,
    ItemIn,
    ItemPageOut,
    ItemSummaryOut,
    LibraryQuery,
    NetworkCode,
    RefOut,
    StateCode,
    TopicIn,
    TopicOut,
    TransitionOut,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership, User

router = Router(tags=["content"])


def _membership(request: HttpRequest) -> Membership:
    """The membership the request acts as (set by the API authentication)."""
    return cast("Membership", api_support.membership(request))


# --- Builders


def _ref(obj: Topic | Campaign | None) -> RefOut | None:
    return RefOut(id=obj.pk, name=obj.name) if obj is not None else None


def _user_ref(user: User | None) -> RefOut | None:
    if user is None:
        return None
    return RefOut(id=user.pk, name=user.display_name)


def _copy_out(copy: NetworkCopy) -> CopyOut:
    network = cast("NetworkCode", copy.network)  # a NETWORK_CHOICES column
    return CopyOut(network=network, variant=copy.variant, text=copy.text)


def _image_out(request: HttpRequest, image: ContentImage) -> ImageOut:
    return ImageOut(
        id=image.pk, url=request.build_absolute_uri(image.file.url), alt_text=image.alt_text
    )


def _summary_fields(item: ContentItem, now: dt.datetime, copy_count: int) -> dict[str, object]:
    return {
        "id": item.pk,
        "title": item.title,
        "state": selectors.effective_state(item, now),
        "language": item.language,
        "content_type": item.content_type,
        "priority": item.priority,
        "important": item.important,
        "featured": item.featured,
        "revision": item.revision,
        "campaign": _ref(item.campaign),
        "topics": [_ref(t) for t in item.topics.all()],
        "author": _user_ref(item.author),
        "copy_count": copy_count,
        "publish_at": item.publish_at,
        "expire_at": item.expire_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _summary_out(item: ContentItem, now: dt.datetime) -> ItemSummaryOut:
    copy_count = int(getattr(item, "copy_count", 0))
    return ItemSummaryOut.model_validate(_summary_fields(item, now, copy_count))


def _detail_out(request: HttpRequest, membership: Membership, item_id: int) -> ItemDetailOut:
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    copies = list(item.copies.all())
    org = membership.organization
    approvals = selectors.item_approvals(item=item)
    return ItemDetailOut.model_validate(
        {
            **_summary_fields(item, clock.now(), len(copies)),
            "body": item.body,
            "body_html": item.body_html,
            "link": item.link,
            "copies": [_copy_out(c) for c in copies],
            "images": [_image_out(request, i) for i in item.images.all()],
            "approvals": [
                ApprovalOut(
                    approver=RefOut(id=a.approver_id, name=a.approver.display_name),
                    is_final=a.is_final,
                    created_at=a.created_at,
                )
                for a in approvals
            ],
            "approvals_required": org.approvals_required,
            "final_approval_required": org.final_approval_required,
        }
    )


def _transition_out(t: Transition) -> TransitionOut:
    return TransitionOut(
        id=t.pk,
        action=t.action,
        from_state=cast("StateCode", t.from_state),  # State choices columns
        to_state=cast("StateCode", t.to_state),
        comment=t.comment,
        actor=_user_ref(t.actor),
        at=t.at,
    )


def _item_data(payload: ItemIn) -> services.ItemData:
    return services.ItemData(
        title=payload.title,
        language=payload.language,
        body=payload.body,
        link=payload.link,
        content_type=payload.content_type,
        priority=payload.priority,
        important=payload.important,
        featured=payload.featured,
        publish_at=payload.publish_at,
        expire_at=payload.expire_at,
        campaign_id=payload.campaign_id,
        topic_ids=list(payload.topic_ids),
        copies=[services.CopyData(network=c.network, text=c.text) for c in payload.copies],
    )


def _check_out(network: str, text: str) -> CopyCheckOut:
    check = check_copy(network, text)
    return CopyCheckOut(
        network=cast("NetworkCode", network),  # checked against Network.ALL by the caller
        length=check.length,
        limit=check.limit,
        unit=_(check.unit),
        remaining=check.remaining,
        ok=check.ok,
        codes=list(check.errors),
        errors=[services.copy_error_message(network, code, check.length) for code in check.errors],
    )


# --- Library and workflow


@router.get("/content", response=responses({200: ItemPageOut}))
def item_list(request: HttpRequest, filters: Query[LibraryQuery]) -> ItemPageOut:
    """The content library, most recently updated first."""
    count, rows = selectors.page_of(
        selectors.library_items(
            membership=_membership(request),
            state=filters.state,
            search=filters.q,
            language=filters.language,
            campaign_id=filters.campaign,
        ),
        offset=filters.offset,
        limit=filters.limit,
    )
    now = clock.now()
    return ItemPageOut(
        items=[_summary_out(item, now) for item in rows],
        count=count,
        limit=filters.limit,
        offset=filters.offset,
    )


@router.post("/content", response=responses({201: ItemDetailOut}))
def item_create(request: HttpRequest, payload: ItemIn) -> Status[ItemDetailOut]:
    membership = _membership(request)
    item = services.item_create(membership=membership, data=_item_data(payload))
    return Status(201, _detail_out(request, membership, item.pk))


@router.post(
    "/content/check-copy",
    response=responses({200: CheckCopyOut}),
    auth=[TokenAuth(api_token_resolve), SessionMembershipAuth()],
)
def copy_check(request: HttpRequest, payload: CheckCopyIn) -> CheckCopyOut:
    """Length and rules of copy on each network, as the server will judge them.

    Also accepts the web session (with the CSRF header) for the editor's live counter.
    """
    copies = payload.copies
    if copies is None:
        if payload.network is None or payload.text is None:
            message = _("Send a network and a text, or a list of copies.")
            raise DomainError(message, field_errors={"copies": [message]})
        copies = [CopyIn(network=payload.network, text=payload.text)]
    errors = {
        f"copies.{index}.network": [_("Unknown network.")]
        for index, copy in enumerate(copies)
        if copy.network not in Network.ALL
    }
    if errors:
        if payload.copies is None:
            errors = {"network": errors.pop("copies.0.network")}
        raise DomainError(_("Unknown network."), field_errors=errors)
    results = [_check_out(c.network, c.text) for c in copies]
    return CheckCopyOut(ok=all(r.ok for r in results), copies=results)


# Before /content/{item_id}: the first path that matches wins.
class LibraryBulkIn(Schema):
    action: Literal["submit", "archive", "campaign", "topic", "template", "untemplate"]
    item_ids: list[BodyId] = Field(..., min_length=1, max_length=bulk.MAX_ITEMS)
    campaign_id: BodyId | None = Field(
        None, description="For `campaign` (left out: the items leave their campaign)"
    )
    topic_id: BodyId | None = Field(None, description="For `topic` (required)")


class LibraryBulkResultOut(Schema):
    item_id: int
    title: str
    done: bool
    reason: str = Field(..., description="Why it was refused, if it was")


class LibraryBulkOut(Schema):
    done: int
    refused: int
    results: list[LibraryBulkResultOut]


@router.post("/content/bulk", response=responses({200: LibraryBulkOut}))
def library_bulk(request: HttpRequest, payload: LibraryBulkIn) -> LibraryBulkOut:
    """The library's bulk actions: apply one action to up to 200 items, each on its own
    (one result per item: done, or refused with the reason, as the page reports it)."""
    membership = _membership(request)
    require(membership, "content.view_library")
    results = bulk.bulk_apply(
        membership=membership,
        action=payload.action,
        item_ids=payload.item_ids,
        campaign_id=payload.campaign_id,
        topic_id=payload.topic_id,
    )
    done = sum(1 for r in results if r.done)
    return LibraryBulkOut(
        done=done,
        refused=len(results) - done,
        results=[
            LibraryBulkResultOut(
                item_id=r.item_id, title=r.title, done=r.done, reason=str(r.reason)
            )
            for r in results
        ],
    )


@router.get("/content/{item_id}", response=responses({200: ItemDetailOut}))
def item_detail(request: HttpRequest, item_id: DbId) -> ItemDetailOut:
    return _detail_out(request, _membership(request), item_id)


@router.put("/content/{item_id}", response=responses({200: ItemDetailOut}))
def item_update(request: HttpRequest, item_id: DbId, payload: ItemIn) -> ItemDetailOut:
    """Replace the item. Editing approved or live content sends it back to review."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_update(membership=membership, item=item, data=_item_data(payload))
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/submit", response=responses({200: ItemDetailOut}))
def item_submit(
    request: HttpRequest, item_id: DbId, payload: ActionIn = OPTIONAL_COMMENT
) -> ItemDetailOut:
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_submit(membership=membership, item=item, comment=payload.comment)
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/approve", response=responses({200: ItemDetailOut}))
def item_approve(
    request: HttpRequest, item_id: DbId, payload: ActionIn = OPTIONAL_COMMENT
) -> ItemDetailOut:
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_approve(membership=membership, item=item, comment=payload.comment)
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/request-changes", response=responses({200: ItemDetailOut}))
def item_request_changes(request: HttpRequest, item_id: DbId, payload: CommentIn) -> ItemDetailOut:
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_request_changes(membership=membership, item=item, comment=payload.comment)
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/archive", response=responses({200: ItemDetailOut}))
def item_archive(
    request: HttpRequest, item_id: DbId, payload: ActionIn = OPTIONAL_COMMENT
) -> ItemDetailOut:
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_archive(membership=membership, item=item, comment=payload.comment)
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/restore", response=responses({200: ItemDetailOut}))
def item_restore(
    request: HttpRequest, item_id: DbId, payload: ActionIn = OPTIONAL_COMMENT
) -> ItemDetailOut:
    """Bring an archived item back as a draft."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    services.item_restore(membership=membership, item=item, comment=payload.comment)
    return _detail_out(request, membership, item_id)


@router.post("/content/{item_id}/comment", response=responses({201: TransitionOut}))
def item_comment(request: HttpRequest, item_id: DbId, payload: CommentIn) -> Status[TransitionOut]:
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    transition = services.item_comment(membership=membership, item=item, comment=payload.comment)
    transition.actor = membership.user
    return Status(201, _transition_out(transition))


@router.get("/content/{item_id}/history", response=responses({200: list[TransitionOut]}))
def item_history(request: HttpRequest, item_id: DbId) -> list[TransitionOut]:
    """Every change of state and comment, oldest first."""
    membership = _membership(request)
    item = selectors.item_for_editor(membership=membership, pk=item_id)
    require(membership, "content.view_history", item)
    return [_transition_out(t) for t in selectors.item_history(item=item)]


# --- Ambassador feed


@router.get("/feed", response=responses({200: FeedPageOut}), tags=["feed"])
def feed(request: HttpRequest, page: Query[PageParams]) -> FeedPageOut:
    """Live content for the calling ambassador, best first. Opted-in ambassadors only."""
    count, rows = selectors.page_of(
        selectors.feed_items(membership=_membership(request)),
        offset=page.offset,
        limit=page.limit,
    )
    return FeedPageOut(
        items=[
            FeedItemOut(
                id=item.pk,
                title=item.title,
                body_html=item.body_html,
                link=item.link,
                language=item.language,
                content_type=item.content_type,
                important=item.important,
                featured=item.featured,
                priority=item.priority,
                campaign=_ref(item.campaign),
                publish_at=item.publish_at,
                expire_at=item.expire_at,
                copies=[_copy_out(c) for c in item.copies.all()],
                images=[_image_out(request, i) for i in item.images.all()],
            )
            for item in rows
        ],
        count=count,
        limit=page.limit,
        offset=page.offset,
    )


# --- Topics and campaigns


@router.get("/topics", response=responses({200: list[TopicOut]}), tags=["taxonomy"])
def topic_list(request: HttpRequest) -> list[TopicOut]:
    return [TopicOut.model_validate(t) for t in selectors.topics(membership=_membership(request))]


@router.post("/topics", response=responses({201: TopicOut}), tags=["taxonomy"])
def topic_create(request: HttpRequest, payload: TopicIn) -> Status[TopicOut]:
    topic = services.topic_create(membership=_membership(request), name=payload.name)
    return Status(201, TopicOut.model_validate(topic))


@router.get("/campaigns", response=responses({200: list[CampaignOut]}), tags=["taxonomy"])
def campaign_list(request: HttpRequest) -> list[CampaignOut]:
    return [
        CampaignOut.model_validate(c) for c in selectors.campaigns(membership=_membership(request))
    ]


@router.post("/campaigns", response=responses({201: CampaignOut}), tags=["taxonomy"])
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    campaign = services.campaign_create(
        membership=_membership(request),
        name=payload.name,
        description=payload.description,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, CampaignOut.model_validate(campaign))
