"""API router of the idea box (read only): GET /ideas (kind, status, sort, limit, offset),
the same selector as the list page."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from portevoix.core.api_support import membership as api_membership
from portevoix.core.api_support import responses

from . import selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["ideas"])


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


@router.get("/ideas", response=responses({200: IdeaPage}))
def ideas(request: HttpRequest, params: Query[IdeaParams]) -> IdeaPage:
    """The organization's idea box, filtered like the page."""
    membership = cast("Membership", api_membership(request))
    qs = selectors.ideas(
        membership=membership, kind=params.kind, status=params.status, sort=params.sort
    )
    rows = list(qs[params.offset : params.offset + params.limit])
    return IdeaPage(
        count=qs.count(),
        limit=params.limit,
        offset=params.offset,
        results=[
            IdeaOut(
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
            for i in rows
        ],
    )
