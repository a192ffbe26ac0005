"""API router of sharing: the member's shares, and conversion reports from the customer's
servers (signed with the organization's conversion key, no user token)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal, cast, get_args

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import WithJsonSchema
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import (
    BodyId,
    DbId,
    PageParams,
    Text,
    membership,
    responses,
)
from portevoix.core.networks import Network

from . import selectors, services
from .models import ConversionKind, Share, ShareState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["sharing"])

NETWORK_ENUM: JsonDict = {"enum": [*Network.ALL]}
KIND_ENUM: JsonDict = {"enum": [*ConversionKind.values]}
MAX_SHARE_TEXT = 10_000

# What the API answers (documented as enums, so a generated client knows every value).
NetworkCode = Literal["linkedin", "x", "facebook", "mastodon", "bluesky", "threads"]
StateCode = Literal["opened", "confirmed", "published"]
assert set(get_args(NetworkCode)) == set(Network.ALL)
assert set(get_args(StateCode)) == set(ShareState.values)

# A database id in a JSON body: a JSON number, never `true` or `"12"`.

# A conversion's value: a JSON number or a decimal string ("49.90"), 0 to the largest
# amount the column holds, at most two decimals. Never `true`/`false`.
ConversionValue = Annotated[
    Decimal,
    Field(ge=0, le=services.MAX_CONVERSION_VALUE, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "number",
                    "minimum": 0,
                    "maximum": float(services.MAX_CONVERSION_VALUE),
                },
                {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"},
            ]
        }
    ),
]


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", membership(request))


class ShareIn(Schema):
    item_id: BodyId
    network: Text = Field(..., max_length=20, json_schema_extra=NETWORK_ENUM)
    text: Text | None = Field(
        None,
        max_length=MAX_SHARE_TEXT,
        description="Your own text (a personalized share, an original post); "
        "without it the suggested copy `variant_id` (else the first) is shared.",
    )
    variant_id: BodyId | None = None


class ItemRefOut(Schema):
    id: int
    title: str


class MemberRefOut(Schema):
    id: int
    name: str


class ShareOut(Schema):
    id: int
    item: ItemRefOut
    member_id: int
    network: NetworkCode
    state: StateCode
    personalized: bool
    text: str
    short_url: str
    audience: int
    clicks: int = Field(description="Counted clicks on the share's link (once per visitor a day)")
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    published_at: dt.datetime | None
    removed_at: dt.datetime | None


class ShareStartOut(Schema):
    share: ShareOut
    intent_url: str = Field(description="The network's share page, text and link prefilled")
    short_url: str
    text: str = Field(description="The post with the tracked link, for the copy button")


class SharePageOut(Schema):
    count: int
    items: list[ShareOut]


class ShareQuery(PageParams):
    member_id: DbId | None = Field(
        None, description="Another member's shares (needs the share.view_all permission)"
    )


def _share_out(share: Share) -> ShareOut:
    return ShareOut(
        id=share.pk,
        item=ItemRefOut(id=share.item.pk, title=share.item.title),
        member_id=share.membership_id,
        network=cast(NetworkCode, share.network),
        state=cast(StateCode, share.state),
        personalized=share.personalized,
        text=share.text,
        short_url=selectors.short_url(share.link.code),
        audience=share.audience,
        clicks=getattr(share, "clicks", 0),
        created_at=share.created_at,
        confirmed_at=share.confirmed_at,
        published_at=share.published_at,
        removed_at=share.removed_at,
    )


@router.get("/shares", response=responses({200: SharePageOut}))
def share_list(request: HttpRequest, filters: Query[ShareQuery]) -> SharePageOut:
    """Your shares, newest first; with `member_id`, that member's (share.view_all)."""
    count, page = selectors.shares_page(
        membership=_membership(request),
        member_id=filters.member_id,
        offset=filters.offset,
        limit=filters.limit,
    )
    return SharePageOut(count=count, items=[_share_out(share) for share in page])


@router.post("/shares", response=responses({201: ShareStartOut}))
def share_create(request: HttpRequest, payload: ShareIn) -> Status[ShareStartOut]:
    """Record a share of a live item and get the network's share URL and the tracked link."""
    membership = _membership(request)
    start = services.share_open(
        membership=membership,
        item_id=payload.item_id,
        network=payload.network,
        text=payload.text,
        variant_id=payload.variant_id,
    )
    share = selectors.my_share(membership=membership, pk=start.share.pk)
    return Status(
        201,
        ShareStartOut(
            share=_share_out(share),
            intent_url=start.intent_url,
            short_url=start.short_url,
            text=start.text,
        ),
    )


@router.get("/shares/{share_id}", response=responses({200: ShareOut}))
def share_detail(request: HttpRequest, share_id: DbId) -> ShareOut:
    share = selectors.visible_share(membership=_membership(request), pk=share_id)
    return _share_out(share)


@router.post("/shares/{share_id}/confirm", response=responses({200: ShareOut}))
def share_confirm(request: HttpRequest, share_id: DbId) -> ShareOut:
    """You posted it (idempotent). Only your own shares."""
    membership = _membership(request)
    selectors.my_share(membership=membership, pk=share_id)
    services.share_confirm(membership=membership, share_id=share_id)
    return _share_out(selectors.my_share(membership=membership, pk=share_id))


@router.post("/shares/{share_id}/remove", response=responses({200: ShareOut}))
def share_remove(request: HttpRequest, share_id: DbId) -> ShareOut:
    """Moderation takes a share down (`share.remove`, community managers): it is marked
    removed, and kept (it was shared: it stays in the figures). Removing again changes
    nothing."""
    membership = _membership(request)
    require(membership, "share.remove")
    selectors.visible_share(membership=membership, pk=share_id)  # another organization: 404
    services.share_remove(share_id=share_id, actor=membership)
    return _share_out(selectors.visible_share(membership=membership, pk=share_id))


# --- Conversions (server to server)


class ConversionIn(Schema):
    org: Text = Field(..., min_length=1, max_length=60, description="The organization's slug")
    click_id: Text = Field("", max_length=64, description="The `pv_click` value of the visit")
    conversion_id: Text = Field(
        ..., min_length=1, max_length=120, description="Your id: reported twice, once"
    )
    kind: Text = Field(..., max_length=20, json_schema_extra=KIND_ENUM)
    value: ConversionValue = Decimal(0)
    currency: Text = Field("", max_length=3, description="ISO 4217, e.g. EUR")
    at: dt.datetime | None = Field(None, description="When it happened (default: now)")


class ConversionOut(Schema):
    conversion_id: str
    created: bool = Field(description="False when this conversion id was already reported")
    attributed: bool = Field(description="Attributed to a click within the window")


@router.post(
    "/conversions",
    auth=None,
    response=responses({200: ConversionOut, 201: ConversionOut}),
    tags=["conversions"],
)
def conversion_report(request: HttpRequest, payload: ConversionIn) -> Status[ConversionOut]:
    """Report a conversion from your server. No token: sign the request with your
    organization's conversion key. Headers: `X-Portevoix-Timestamp` (Unix seconds, at most
    5 minutes off) and `X-Portevoix-Signature` = hex HMAC-SHA256 of `"<timestamp>.<raw
    body>"`. 201 when recorded, 200 for a conversion id already reported (counted once)."""
    organization = services.conversion_report_authenticate(
        org_slug=payload.org,
        timestamp=request.headers.get("X-Portevoix-Timestamp", ""),
        signature=request.headers.get("X-Portevoix-Signature", ""),
        body=request.body,
    )
    result = services.conversion_record(
        organization=organization,
        external_id=payload.conversion_id,
        kind=payload.kind,
        value=payload.value,
        currency=payload.currency,
        click_id=payload.click_id,
        at=payload.at,
        source="api",
    )
    out = ConversionOut(
        conversion_id=result.conversion.external_id,
        created=result.created,
        attributed=result.attributed,
    )
    return Status(201 if result.created else 200, out)
