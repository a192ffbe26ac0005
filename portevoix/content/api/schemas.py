"""Request and response schemas of the content API: what the OpenAPI document shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Body, Field, Schema
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import DbId, PageParams, StrictBool, StrictInt, Text
from portevoix.core.networks import Network

from ..models import ContentType

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
    codes: list[str] = Field(
        ...,
        description=(
            "empty, too_long, too_many_links, too_many_bytes (Bluesky), invalid_characters (X)"
        ),
    )
    errors: list[str] = Field(..., description="Human messages, in the request's language")


class CheckCopyOut(Schema):
    ok: bool
    copies: list[CopyCheckOut]
