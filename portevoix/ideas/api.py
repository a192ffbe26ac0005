"""API router of the idea box: the list (GET /ideas: kind, status, sort, limit, offset, the
same selector as the list page), one idea, and what its pages do: post an idea (text and
link; images are added on the page), vote, comment, and the triage (accept, decline, merge).
The same services as the pages, so the same rules (the charter gate, the guardrails, one
vote per member, `idea.triage` for the decisions); another organization's idea is a 404."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import BodyId, DbId, StrictBool, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import Idea, IdeaKind
from .services.posting import MAX_BODY, MAX_COMMENT, MAX_TITLE
from .services.triage import MAX_REASON

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["ideas"])

KIND_ENUM: JsonDict = {"enum": list(IdeaKind.values)}


class IdeaParams(Schema):
    kind: Literal["", "content", "insight", "improvement"] = Field("", description="One kind")
    status: Literal["", "open", "accepted", "declined", "merged"] = Field(
        "open", description="One status (empty: every status)"
    )
    sort: Literal["votes", "new"] = Field("votes", description="Most voted, or newest first")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class IdeaOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    body: str
    link: str
    author: str
    votes: int
    comments: int
    created_at: dt.datetime
    merged_into_id: int | None
    content_item_id: int | None


class IdeaPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[IdeaOut]


class IdeaIn(Schema):
    kind: Text = Field(..., max_length=20, json_schema_extra=KIND_ENUM)
    title: Text = Field(..., min_length=1, max_length=MAX_TITLE)
    body: Text = Field("", max_length=MAX_BODY)
    link: Text = Field("", max_length=500, description="Content to share only: http(s)://")


class IdeaVoteIn(Schema):
    vote: StrictBool = Field(True, description="false takes the vote back")


class IdeaCommentIn(Schema):
    body: Text = Field(..., min_length=1, max_length=MAX_COMMENT)


class IdeaCommentOut(Schema):
    id: int
    idea_id: int
    body: str
    created_at: dt.datetime


class IdeaDeclineIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=MAX_REASON, description="Sent to the author")


class IdeaMergeIn(Schema):
    into_id: BodyId = Field(..., description="An open idea of the organization")


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _idea_out(i: Idea) -> IdeaOut:
    return IdeaOut(
        id=i.pk,
        kind=i.kind,
        status=i.status,
        title=i.title,
        body=i.body,
        link=i.link,
        author=i.author.user.display_name,
        votes=i.vote_count,
        comments=i.comment_count,
        created_at=i.created_at,
        merged_into_id=i.merged_into_id,
        content_item_id=i.content_item_id,
    )


def _fresh(membership: Membership, idea_id: int) -> IdeaOut:
    return _idea_out(selectors.idea(membership=membership, idea_id=idea_id))


@router.get("/ideas", response=responses({200: IdeaPage}))
def ideas(request: HttpRequest, params: Query[IdeaParams]) -> IdeaPage:
    """The organization's idea box, filtered like the page."""
    membership = _membership(request)
    qs = selectors.ideas(
        membership=membership, kind=params.kind, status=params.status, sort=params.sort
    )
    rows = list(qs[params.offset : params.offset + params.limit])
    return IdeaPage(
        count=qs.count(),
        limit=params.limit,
        offset=params.offset,
        results=[_idea_out(i) for i in rows],
    )


@router.post("/ideas", response=responses({201: IdeaOut}))
def idea_post(request: HttpRequest, payload: IdeaIn) -> Status[IdeaOut]:
    """Post an idea, as the page does: refused behind the charter gate (403) and on a
    blocking guardrail (400); a warning sends it to the moderators."""
    membership = _membership(request)
    idea = services.idea_post(
        membership=membership,
        data=services.IdeaData(
            kind=payload.kind, title=payload.title, body=payload.body, link=payload.link
        ),
    )
    return Status(201, _fresh(membership, idea.pk))


@router.get("/ideas/{idea_id}", response=responses({200: IdeaOut}))
def idea_detail(request: HttpRequest, idea_id: DbId) -> IdeaOut:
    return _fresh(_membership(request), idea_id)


@router.post("/ideas/{idea_id}/vote", response=responses({200: IdeaOut}))
def idea_vote(request: HttpRequest, idea_id: DbId, payload: IdeaVoteIn) -> IdeaOut:
    """Vote for a colleague's open idea, or take the vote back. Voting twice counts once."""
    membership = _membership(request)
    selectors.idea(membership=membership, idea_id=idea_id)
    services.idea_vote(membership=membership, idea_id=idea_id, vote=payload.vote)
    return _fresh(membership, idea_id)


@router.post("/ideas/{idea_id}/comments", response=responses({201: IdeaCommentOut}))
def idea_comment(
    request: HttpRequest, idea_id: DbId, payload: IdeaCommentIn
) -> Status[IdeaCommentOut]:
    membership = _membership(request)
    selectors.idea(membership=membership, idea_id=idea_id)
    comment = services.idea_comment(membership=membership, idea_id=idea_id, body=payload.body)
    return Status(
        201,
        IdeaCommentOut(
            id=comment.pk, idea_id=idea_id, body=comment.body, created_at=comment.created_at
        ),
    )


@router.post("/ideas/{idea_id}/accept", response=responses({200: IdeaOut}))
def idea_accept(request: HttpRequest, idea_id: DbId) -> IdeaOut:
    """Accept an open idea (`idea.triage`): content and field insights become a content
    draft (`content_item_id`)."""
    membership = _membership(request)
    selectors.idea(membership=membership, idea_id=idea_id)
    services.idea_accept(membership=membership, idea_id=idea_id)
    return _fresh(membership, idea_id)


@router.post("/ideas/{idea_id}/decline", response=responses({200: IdeaOut}))
def idea_decline(request: HttpRequest, idea_id: DbId, payload: IdeaDeclineIn) -> IdeaOut:
    """Decline an open idea (`idea.triage`); the author is told why."""
    membership = _membership(request)
    selectors.idea(membership=membership, idea_id=idea_id)
    services.idea_decline(membership=membership, idea_id=idea_id, reason=payload.reason)
    return _fresh(membership, idea_id)


@router.post("/ideas/{idea_id}/merge", response=responses({200: IdeaOut}))
def idea_merge(request: HttpRequest, idea_id: DbId, payload: IdeaMergeIn) -> IdeaOut:
    """Merge a duplicate into another open idea (`idea.triage`): its votes move there."""
    membership = _membership(request)
    selectors.idea(membership=membership, idea_id=idea_id)
    services.idea_merge(membership=membership, idea_id=idea_id, into_id=payload.into_id)
    return _fresh(membership, idea_id)
