"""API router of publishing: the member's connected accounts (never their tokens), posts
through them (now, at a time, at the best time), delegated posts' approval, the best time to
post, and the managers' crisis pause and posting rhythm.

Endpoints parse, call one service or selector (which authorize), and return a schema.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import (
    BodyId,
    DbId,
    PageParams,
    Text,
    responses,
)
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.networks import Network

from . import connections, scheduling, selectors, services
from .models import (
    Connection,
    ConnectionStatus,
    Delegation,
    Post,
    PostState,
    WhenMode,
)
from .scheduling import SOURCE_DEFAULTS, SOURCE_ORGANIZATION, SOURCE_OWN, SOURCE_TEAM

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["publishing"])

NETWORK_ENUM: JsonDict = {"enum": [*Network.ALL]}
WHEN_ENUM: JsonDict = {"enum": [*WhenMode.values]}
STATE_ENUM: JsonDict = {"enum": [*PostState.values]}
CONNECTION_STATUS_ENUM: JsonDict = {"enum": [*ConnectionStatus.values]}
CONNECTION_KIND_ENUM: JsonDict = {"enum": ["personal", "company"]}
SOURCE_ENUM: JsonDict = {"enum": [SOURCE_OWN, SOURCE_TEAM, SOURCE_ORGANIZATION, SOURCE_DEFAULTS]}
MAX_POST_TEXT = 10_000
MAX_REASON = 2_000
MAX_HELD_IDS = 1_000
# The posting rhythm's ranges. The service checks them (a translated 400 with field errors);
# the schema documents them so that a generated client knows them.
MAX_PER_DAY_BOUNDS: JsonDict = {"minimum": 0, "maximum": services.CADENCE_MAX_PER_DAY}
GAP_BOUNDS: JsonDict = {"minimum": 0, "maximum": services.CADENCE_MAX_GAP_MINUTES}

# An id in a JSON body: a JSON number (never `true` or `"3"`), within the column's range.
# A network in a path: unknown networks are answered 404 by the service.
NetworkPath = Annotated[Text, Field(max_length=20, json_schema_extra=NETWORK_ENUM)]


def _membership(request: HttpRequest) -> Membership:
    """The membership the request acts as (set by the API authentication)."""
    return cast("Membership", api_membership(request))


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    """`at` must carry its time zone: a naive time would be read in no one's zone."""
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        message = _("Enter an ISO 8601 date and time with a time zone.")
        raise DomainError(message, field_errors={"at": [message]})
    return at


# --- Connections


class ConnectionOut(Schema):
    id: int
    network: str = Field(json_schema_extra=NETWORK_ENUM)
    handle: str
    display_name: str
    kind: str = Field(
        description="`personal`, or `company` (a Facebook Page...)",
        json_schema_extra=CONNECTION_KIND_ENUM,
    )
    status: str = Field(
        description="`active` or `needs_reconnect`", json_schema_extra=CONNECTION_STATUS_ENUM
    )
    status_reason: str
    followers: int | None
    followers_synced_at: dt.datetime | None


def _connection_out(connection: Connection) -> ConnectionOut:
    # Field by field: the sealed tokens never reach a schema.
    return ConnectionOut(
        id=connection.pk,
        network=connection.network,
        handle=connection.handle,
        display_name=connection.display_name,
        kind=connection.kind,
        status=connection.status,
        status_reason=connection.status_reason,
        followers=connection.followers,
        followers_synced_at=connection.followers_synced_at,
    )


@router.get("/publishing/connections", response=responses({200: list[ConnectionOut]}))
def connection_list(request: HttpRequest) -> list[ConnectionOut]:
    """Your connected accounts. Connecting one happens in the web app (the network's own
    authorization page); tokens are never returned."""
    return [_connection_out(c) for c in selectors.my_connections(_membership(request))]


class ConnectionKindIn(Schema):
    kind: Literal["personal", "company"]


@router.patch("/publishing/connections/{connection_id}", response=responses({200: ConnectionOut}))
def connection_update(
    request: HttpRequest, connection_id: DbId, payload: ConnectionKindIn
) -> ConnectionOut:
    """Say whether one of your accounts is personal or company-affiliated (a Facebook Page
    is always a company account: 400)."""
    connection = connections.connection_set_kind(
        membership=_membership(request), connection_id=connection_id, kind=payload.kind
    )
    return _connection_out(connection)


@router.delete("/publishing/connections/{connection_id}", response=responses({204: None}))
def connection_disconnect(request: HttpRequest, connection_id: DbId) -> Status[None]:
    """Disconnect one of your accounts: the network is told (best effort), the tokens are
    deleted, and what was waiting to go out through it is cancelled."""
    connections.connection_disconnect(membership=_membership(request), connection_id=connection_id)
    return Status(204, None)


class DelegationOut(Schema):
    id: int
    executive_id: int = Field(description="Membership id of who delegated")
    executive: str
    assistant_id: int = Field(description="Membership id of who prepares the posts")
    assistant: str
    created_at: dt.datetime


class DelegationsOut(Schema):
    given: list[DelegationOut] = Field(description="Assistants who prepare posts for you")
    received: list[DelegationOut] = Field(description="People you prepare posts for")


def _delegation_out(d: Delegation) -> DelegationOut:
    return DelegationOut(
        id=d.pk,
        executive_id=d.executive_id,
        executive=d.executive.user.display_name,
        assistant_id=d.assistant_id,
        assistant=d.assistant.user.display_name,
        created_at=d.created_at,
    )


@router.get("/publishing/delegations", response=responses({200: DelegationsOut}))
def delegation_list(request: HttpRequest) -> DelegationsOut:
    """Your active delegations, both ways. Granting one stays in the browser (your own
    session): config/api_coverage.py says why."""
    membership = _membership(request)
    return DelegationsOut(
        given=[_delegation_out(d) for d in selectors.delegations_given(membership)],
        received=[_delegation_out(d) for d in selectors.delegations_received(membership)],
    )


@router.delete("/publishing/delegations/{delegation_id}", response=responses({204: None}))
def delegation_revoke(request: HttpRequest, delegation_id: DbId) -> Status[None]:
    """Withdraw a delegation you gave: what the assistant prepared and you did not approve
    is cancelled. Only yours (another's: 404)."""
    services.delegation_revoke(executive=_membership(request), delegation_id=delegation_id)
    return Status(204, None)


# --- Posts


class PostItemRefOut(Schema):
    id: int
    title: str


class EngagementOut(Schema):
    likes: int | None
    replies: int | None
    reposts: int | None
    quotes: int | None
    impressions: int | None
    at: dt.datetime = Field(description="When the network was asked")


class PostOut(Schema):
    id: int
    item: PostItemRefOut
    member_id: int = Field(description="The account owner")
    network: str = Field(json_schema_extra=NETWORK_ENUM)
    connection_id: int | None = Field(description="None once the account was disconnected")
    text: str
    mode: str = Field(description="`now`, `at` or `best`", json_schema_extra=WHEN_ENUM)
    state: str = Field(
        description="`awaiting_approval`, `scheduled`, `held`, `publishing`, `published`, "
        "`failed` or `cancelled`",
        json_schema_extra=STATE_ENUM,
    )
    scheduled_at: dt.datetime
    schedule_note: str = Field(description="Where the platform's chosen slot comes from")
    published_at: dt.datetime | None
    remote_url: str
    error: str
    prepared_by_id: int | None = Field(description="The delegate who prepared it, if any")
    engagement: EngagementOut | None = Field(
        description="The latest figures synced from the network (none on LinkedIn)"
    )


class PostPageOut(Schema):
    count: int
    items: list[PostOut]


class PostIn(Schema):
    connection_id: BodyId
    item_id: BodyId
    text: Text | None = Field(
        None,
        max_length=MAX_POST_TEXT,
        description="Your own text; without it (or blank) the suggested copy `variant_id` "
        "(else the first). The tracked link is added.",
    )
    variant_id: BodyId | None = None
    # Checked by the service (a translated 400 keyed `when`).
    when: Text = Field(..., max_length=10, json_schema_extra=WHEN_ENUM)
    at: dt.datetime | None = Field(
        None, description="With `when: at`: ISO 8601 with a time zone, in the future"
    )


class PostUpdateIn(Schema):
    text: Text | None = Field(
        None, max_length=MAX_POST_TEXT, description="The new text; omitted: unchanged"
    )
    when: Text = Field(..., max_length=10, json_schema_extra=WHEN_ENUM)
    at: dt.datetime | None = Field(None, description="With `when: at`: ISO 8601 with a zone")


def _render_posts(posts: list[Post]) -> list[PostOut]:
    out = []
    for post in posts:
        snapshot = selectors.latest(post)
        out.append(
            PostOut(
                id=post.pk,
                item=PostItemRefOut(id=post.item.pk, title=post.item.title),
                member_id=post.membership_id,
                network=post.network,
                connection_id=post.connection_id,
                text=post.text,
                mode=post.mode,
                state=post.state,
                scheduled_at=post.scheduled_at,
                schedule_note=post.schedule_note,
                published_at=post.published_at,
                remote_url=post.remote_url,
                error=post.error,
                prepared_by_id=post.prepared_by_id,
                engagement=None
                if snapshot is None
                else EngagementOut(
                    likes=snapshot.likes,
                    replies=snapshot.replies,
                    reposts=snapshot.reposts,
                    quotes=snapshot.quotes,
                    impressions=snapshot.impressions,
                    at=snapshot.at,
                ),
            )
        )
    return out


def _post_out(actor: Membership, post_id: int) -> PostOut:
    """A post of yours, or one you prepared for someone else; else 404."""
    return _render_posts([selectors.visible_post(actor, post_id)])[0]


@router.get("/publishing/posts", response=responses({200: PostPageOut}))
def post_list(request: HttpRequest, page: Query[PageParams]) -> PostPageOut:
    """Your posts (on your accounts, including those a delegate prepared), the latest
    planned first."""
    count, posts = selectors.my_posts_page(
        _membership(request), offset=page.offset, limit=page.limit
    )
    return PostPageOut(count=count, items=_render_posts(posts))


@router.post("/publishing/posts", response=responses({201: PostOut}))
def post_create(request: HttpRequest, payload: PostIn) -> Status[PostOut]:
    """Publish a live item through a connected account: `now`, `at` a time, or at the
    `best` time (the platform picks the slot and says why in `schedule_note`). The text goes
    through the same checks as a share; the organization's posting rhythm may refuse a time
    (400, the reasons and the first free slot under `errors.at`). Through an account
    delegated to you, the post waits for its owner's approval."""
    membership = _membership(request)
    post = services.post_create(
        actor=membership,
        draft=services.PostDraft(
            connection_id=payload.connection_id,
            item_id=payload.item_id,
            text=payload.text if payload.text and payload.text.strip() else None,
            variant_id=payload.variant_id,
            when=payload.when,
            at=_aware(payload.at),
        ),
    )
    return Status(201, _post_out(membership, post.pk))


@router.get("/publishing/posts/{post_id}", response=responses({200: PostOut}))
def post_detail(request: HttpRequest, post_id: DbId) -> PostOut:
    return _post_out(_membership(request), post_id)


@router.patch("/publishing/posts/{post_id}", response=responses({200: PostOut}))
def post_update(request: HttpRequest, post_id: DbId, payload: PostUpdateIn) -> PostOut:
    """Change the text or the time of a post that has not gone out (409 otherwise). An
    edit by a delegate goes back to the owner for approval."""
    membership = _membership(request)
    text = payload.text
    if text is None or not text.strip():
        # Unchanged: the service would otherwise go back to the suggested copy.
        text = selectors.visible_post(membership, post_id).text
    services.post_update(
        actor=membership, post_id=post_id, text=text, when=payload.when, at=_aware(payload.at)
    )
    return _post_out(membership, post_id)


@router.post("/publishing/posts/{post_id}/cancel", response=responses({200: PostOut}))
def post_cancel(request: HttpRequest, post_id: DbId) -> PostOut:
    membership = _membership(request)
    services.post_cancel(actor=membership, post_id=post_id)
    return _post_out(membership, post_id)


@router.post("/publishing/posts/{post_id}/approve", response=responses({200: PostOut}))
def post_approve(request: HttpRequest, post_id: DbId) -> PostOut:
    """Let a post your delegate prepared go out at its time (account owner only)."""
    membership = _membership(request)
    services.post_approve(actor=membership, post_id=post_id)
    return _post_out(membership, post_id)


@router.post("/publishing/posts/{post_id}/decline", response=responses({200: PostOut}))
def post_decline(request: HttpRequest, post_id: DbId) -> PostOut:
    membership = _membership(request)
    services.post_decline(actor=membership, post_id=post_id)
    return _post_out(membership, post_id)


@router.post("/publishing/posts/{post_id}/retry", response=responses({200: PostOut}))
def post_retry(request: HttpRequest, post_id: DbId) -> PostOut:
    """Try a failed post again, now (after reconnecting the account, say)."""
    membership = _membership(request)
    services.post_retry(actor=membership, post_id=post_id)
    return _post_out(membership, post_id)


# --- Best time


class BestTimeQuery(Schema):
    network: Text = Field("linkedin", max_length=20, json_schema_extra=NETWORK_ENUM)


class BestTimeOut(Schema):
    network: str = Field(json_schema_extra=NETWORK_ENUM)
    source: str = Field(
        description="`own`, `team`, `organization` or `defaults`", json_schema_extra=SOURCE_ENUM
    )
    label: str
    tz: str = Field(description="The IANA time zone of `weights`")
    events: int = Field(description="Clicks and engagement the weights come from")
    weights: list[list[float]] = Field(
        description="7 local weekdays (0 = Monday) x 24 local hours, each in [0, 1]"
    )
    best_slot: dt.datetime = Field(description="The next best slot the posting rhythm accepts")
    note: str


@router.get("/publishing/best-time", response=responses({200: BestTimeOut}))
def best_time(request: HttpRequest, filters: Query[BestTimeQuery]) -> BestTimeOut:
    """When your posts on a network earn the most, from the last 90 days (yours, else your
    teams', else the organization's, else recommended defaults), and the next best slot."""
    membership = _membership(request)
    require(membership, "share.create")
    if filters.network not in Network.ALL:
        raise NotFound(_("Not found."))
    heatmap = scheduling.heatmap(membership=membership, network=filters.network)
    best, note = scheduling.best_slot(membership=membership, network=filters.network)
    return BestTimeOut(
        network=filters.network,
        source=heatmap.source,
        label=heatmap.label,
        tz=heatmap.tz,
        events=heatmap.events,
        weights=[list(row) for row in heatmap.weights],
        best_slot=best,
        note=note,
    )


# --- Crisis pause
