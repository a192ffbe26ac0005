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
    StrictInt,
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
    CrisisPause,
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


class CampaignRefOut(Schema):
    id: int
    name: str


class PauseOut(Schema):
    id: int
    reason: str
    campaign: CampaignRefOut | None = Field(description="None: the whole organization")
    started_at: dt.datetime
    started_by_id: int | None
    ended_at: dt.datetime | None
    ended_by_id: int | None
    held: int = Field(description="Posts this pause holds, waiting for a decision")


class PausesOut(Schema):
    active: list[PauseOut]
    recent: list[PauseOut] = Field(description="The last ended pauses, newest first")


class PauseIn(Schema):
    reason: Text = Field(
        ..., min_length=1, max_length=MAX_REASON, description="Shown to the ambassadors"
    )
    campaign_id: BodyId | None = Field(None, description="Only this campaign's posts")


class HeldIn(Schema):
    decision: Literal["release", "cancel"] = Field(
        ..., description="`release`: publish now; `cancel`: never"
    )
    post_ids: list[BodyId] | None = Field(
        None, max_length=MAX_HELD_IDS, description="Omitted: every post the pause holds"
    )


class HeldOut(Schema):
    count: int = Field(description="Posts released or cancelled")


def _pause_out(pause: CrisisPause, organization_id: int) -> PauseOut:
    campaign = pause.campaign
    return PauseOut(
        id=pause.pk,
        reason=pause.reason,
        campaign=None if campaign is None else CampaignRefOut(id=campaign.pk, name=campaign.name),
        started_at=pause.started_at,
        started_by_id=pause.started_by_id,
        ended_at=pause.ended_at,
        ended_by_id=pause.ended_by_id,
        held=len(selectors.held_posts(organization_id, pause.pk)),
    )


@router.get("/publishing/pauses", response=responses({200: PausesOut}))
def pause_list(request: HttpRequest) -> PausesOut:
    """Active pauses and the recent ones, with the posts each holds (publishing.pause)."""
    membership = _membership(request)
    require(membership, "publishing.pause")
    org_id = membership.organization_id
    return PausesOut(
        active=[_pause_out(p, org_id) for p in selectors.active_pauses(org_id)],
        recent=[_pause_out(p, org_id) for p in selectors.recent_pauses(org_id)],
    )


@router.post("/publishing/pauses", response=responses({201: PauseOut}))
def pause_start(request: HttpRequest, payload: PauseIn) -> Status[PauseOut]:
    """Stop every scheduled publication of the organization (or of one campaign) now.
    What comes due meanwhile is held (publishing.pause)."""
    membership = _membership(request)
    pause = services.pause_start(
        actor=membership, reason=payload.reason, campaign_id=payload.campaign_id
    )
    return Status(201, _pause_out(pause, membership.organization_id))


@router.post("/publishing/pauses/{pause_id}/end", response=responses({200: PauseOut}))
def pause_end(request: HttpRequest, pause_id: DbId) -> PauseOut:
    """Resume publishing. Held posts stay held until you release or cancel them."""
    membership = _membership(request)
    pause = services.pause_end(actor=membership, pause_id=pause_id)
    return _pause_out(pause, membership.organization_id)


@router.post("/publishing/pauses/{pause_id}/held", response=responses({200: HeldOut}))
def held_decide(request: HttpRequest, pause_id: DbId, payload: HeldIn) -> HeldOut:
    """After a pause ended (409 before): release the held posts (publish now) or cancel
    them."""
    count = services.held_decide(
        actor=_membership(request),
        pause_id=pause_id,
        post_ids=payload.post_ids,
        release=payload.decision == "release",
    )
    return HeldOut(count=count)


# --- Posting rhythm


class CadenceOut(Schema):
    network: str = Field(json_schema_extra=NETWORK_ENUM)
    max_per_day: int = Field(
        description="Posts a day per ambassador; 0: no limit", json_schema_extra=MAX_PER_DAY_BOUNDS
    )
    min_gap_minutes: int = Field(
        description="Minutes between two posts; 0: none", json_schema_extra=GAP_BOUNDS
    )


class CadenceIn(Schema):
    # Ranges are checked by the service (a translated 400 with field errors); the schema
    # states them. Numbers must be JSON numbers: `false` or `"3"` is a 422.
    max_per_day: StrictInt = Field(
        ..., description="0 to 100; 0: no limit", json_schema_extra=MAX_PER_DAY_BOUNDS
    )
    min_gap_minutes: StrictInt = Field(
        ..., description="0 to 10,080 (a week); 0: none", json_schema_extra=GAP_BOUNDS
    )


@router.get("/publishing/cadence", response=responses({200: list[CadenceOut]}))
def cadence_list(request: HttpRequest) -> list[CadenceOut]:
    """The organization's posting rhythm, per network (publishing.cadence)."""
    membership = _membership(request)
    require(membership, "publishing.cadence")
    rules = selectors.cadence_rules(membership.organization_id)
    out = []
    for code in Network.ALL:
        rule = rules.get(code)
        out.append(
            CadenceOut(
                network=code,
                max_per_day=rule.max_per_day if rule else 0,
                min_gap_minutes=rule.min_gap_minutes if rule else 0,
            )
        )
    return out


@router.put("/publishing/cadence/{network}", response=responses({200: CadenceOut}))
def cadence_set(request: HttpRequest, network: NetworkPath, payload: CadenceIn) -> CadenceOut:
    """Set a network's rhythm for every ambassador; both at 0 removes the rule
    (publishing.cadence)."""
    rule = services.cadence_set(
        actor=_membership(request),
        network=network,
        max_per_day=payload.max_per_day,
        min_gap_minutes=payload.min_gap_minutes,
    )
    return CadenceOut(
        network=network,
        max_per_day=rule.max_per_day if rule else 0,
        min_gap_minutes=rule.min_gap_minutes if rule else 0,
    )
