"""API router for the content library, its approval workflow, the feed and the taxonomy.

Endpoints only parse, authorize (through services and selectors, which call
`permissions.require`), call a service or selector, and return a schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.accounts.models import Membership, User
from portevoix.accounts.permissions import require
from portevoix.accounts.services import api_token_authenticate
from portevoix.core import api_support, clock
from portevoix.core.api_support import (
    DbId,
    PageParams,
    SessionMembershipAuth,
    StrictBool,
    StrictInt,
    Text,
    TokenAuth,
    responses,
)
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network, check_copy

from . import selectors, services
from .models import (
    Campaign,
    ContentImage,
    ContentItem,
    ContentType,
    NetworkCopy,
    Topic,
    Transition,
)

router = Router(tags=["content"])

StateCode = Literal[
    "draft", "in_review", "changes_requested", "approved", "live", "expired", "archived"
]
NetworkCode = Literal["linkedin", "x", "facebook", "mastodon", "bluesky", "threads"]
# Inputs list what the services accept; the services keep validating them (400 with a
# translated message per field), so the schema documents rules the API really enforces.
NETWORK_ENUM: JsonDict = {"enum": [*Network.ALL]}
MAX_TEXT = 100_000
MAX_COMMENT = 5_000
LANGUAGE_ENUM: JsonDict = {"enum": ["fr", "en"]}
CONTENT_TYPE_ENUM: JsonDict = {"enum": [*ContentType.values]}
# An empty (or blank) value is refused by the service: say so in the schema.
NOT_EMPTY: JsonDict = {"minLength": 1}


def _membership(request: HttpRequest) -> Membership:
    """The membership the request acts as (set by the API authentication)."""
    return cast(Membership, api_support.membership(request))


# --- Schemas


class CopyIn(Schema):
    # Networks are validated by the service (translated, keyed `copies.<n>.network`).
    network: Text = Field(..., max_length=20, json_schema_extra=NETWORK_ENUM)
    text: Text = Field(..., max_length=MAX_TEXT)


class ItemCopyIn(CopyIn):
    """A copy saved with an item: an empty text is refused."""

    text: Text = Field(..., max_length=MAX_TEXT, json_schema_extra=NOT_EMPTY)


class ItemIn(Schema):
    """A whole item: PUT replaces every field, copies and topics included."""

    title: Text = Field(..., max_length=200, json_schema_extra=NOT_EMPTY)
    language: Text = Field(..., max_length=8, json_schema_extra=LANGUAGE_ENUM)
    body: Text = Field("", max_length=MAX_TEXT, description="Markdown")
    link: Text = Field("", max_length=2000)
    content_type: Text = Field("company_news", max_length=20, json_schema_extra=CONTENT_TYPE_ENUM)
    priority: StrictInt = Field(0, ge=-100, le=100)
    important: StrictBool = False
    featured: StrictBool = False
    publish_at: dt.datetime | None = Field(None, description="ISO 8601 with a time zone")
    expire_at: dt.datetime | None = Field(None, description="ISO 8601 with a time zone")
    campaign_id: DbId | None = None
    topic_ids: list[DbId] = []
    copies: list[ItemCopyIn] = []


class ActionIn(Schema):
    comment: Text = Field("", max_length=MAX_COMMENT)


# Workflow actions take an optional body: no body at all means no comment.
OPTIONAL_COMMENT: Any = Body(ActionIn(comment=""))


class CommentIn(Schema):
    comment: Text = Field(..., max_length=MAX_COMMENT, json_schema_extra=NOT_EMPTY)


class RefOut(Schema):
    id: int
    name: str


class TopicOut(Schema):
    id: int
    name: str
    slug: str


class TopicIn(Schema):
    name: Text = Field(..., max_length=80, json_schema_extra=NOT_EMPTY)


class CampaignOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    starts_on: dt.date | None
    ends_on: dt.date | None


class CampaignIn(Schema):
    name: Text = Field(..., max_length=120, json_schema_extra=NOT_EMPTY)
    description: Text = Field("", max_length=MAX_TEXT)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class CopyOut(Schema):
    network: NetworkCode
    variant: int
    text: str


class ImageOut(Schema):
    id: int
    url: str
    alt_text: str


class ApprovalOut(Schema):
    approver: RefOut
    is_final: bool
    created_at: dt.datetime


class ItemSummaryOut(Schema):
    id: int
    title: str
    state: StateCode = Field(
        ..., description="Effective state: approved items past publish-at are live"
    )
    language: str
    content_type: str
    priority: int
    important: bool
    featured: bool
    revision: int
    campaign: RefOut | None
    topics: list[RefOut]
    author: RefOut | None
    copy_count: int
    publish_at: dt.datetime | None
    expire_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ItemPageOut(Schema):
    items: list[ItemSummaryOut]
    count: int
    limit: int
    offset: int


class ItemDetailOut(ItemSummaryOut):
    body: str
    body_html: str
    link: str
    copies: list[CopyOut]
    images: list[ImageOut]
    approvals: list[ApprovalOut] = Field(..., description="Approvals of the current revision")
    approvals_required: int
    final_approval_required: bool


class TransitionOut(Schema):
    id: int
    action: str
    from_state: StateCode
    to_state: StateCode
    comment: str
    actor: RefOut | None
    at: dt.datetime


class FeedItemOut(Schema):
    id: int
    title: str
    body_html: str
    link: str
    language: str
    content_type: str
    important: bool
    featured: bool
    priority: int
    campaign: RefOut | None
    publish_at: dt.datetime | None
    expire_at: dt.datetime | None
    copies: list[CopyOut]
    images: list[ImageOut]


class FeedPageOut(Schema):
    items: list[FeedItemOut]
    count: int
    limit: int
    offset: int


class LibraryQuery(PageParams):
    state: StateCode | None = Field(None, description="Effective state")
    q: Text | None = Field(None, max_length=200, description="Title or body contains")
    language: Literal["fr", "en"] | None = None
    campaign: DbId | None = Field(None, description="Campaign id")


class CheckCopyIn(Schema):
    """Either one copy (`network` and `text`) or several (`copies`)."""

    # Pydantic cannot say "these two, or that one" with required fields alone: the schema
    # states it, and the endpoint refuses a body with neither (400).
    model_config = {
        "json_schema_extra": {
            "anyOf": [{"required": ["network", "text"]}, {"required": ["copies"]}]
        }
    }

    network: Annotated[Text, Field(max_length=20, json_schema_extra=NETWORK_ENUM)] | None = None
    text: Text | None = Field(None, max_length=MAX_TEXT)
    copies: list[CopyIn] | None = Field(None, max_length=50)


class CopyCheckOut(Schema):
    network: NetworkCode
    length: int
    limit: int
    unit: str
    remaining: int
    ok: bool
    codes: list[str] = Field(..., description="empty, too_long, too_many_links")
    errors: list[str] = Field(..., description="Human messages, in the request's language")


class CheckCopyOut(Schema):
    ok: bool
    copies: list[CopyCheckOut]


# --- Builders


def _ref(obj: Topic | Campaign | None) -> RefOut | None:
    return RefOut(id=obj.pk, name=obj.name) if obj is not None else None


def _user_ref(user: User | None) -> RefOut | None:
    if user is None:
        return None
    return RefOut(id=user.pk, name=user.display_name)


def _copy_out(copy: NetworkCopy) -> CopyOut:
    return CopyOut(network=copy.network, variant=copy.variant, text=copy.text)


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
        from_state=t.from_state,
        to_state=t.to_state,
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
        network=network,
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
    auth=[TokenAuth(api_token_authenticate), SessionMembershipAuth()],
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
