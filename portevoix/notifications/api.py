"""API router of in-app notifications (the `notifications` area): the caller's own
notifications (the bell's list), mark one read, mark all read. What /notifications/
offers; only the caller's own: another member's notification is a 404, as on the page.
Preferences stay on their pages (config/api_coverage.py says why)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import DbId, PageParams, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import Kind, Notification

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["notifications"])

KIND_ENUM: JsonDict = {"enum": list(Kind.values)}


class NotificationOut(Schema):
    id: int
    kind: str = Field(..., json_schema_extra=KIND_ENUM)
    title: str
    body: str
    url: str = Field(..., description="A path of the site, or empty")
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int = Field(..., description="How many were unread")


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        url=n.url,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get("/notifications", response=responses({200: NotificationPageOut}))
def notification_list(request: HttpRequest, page: Query[PageParams]) -> NotificationPageOut:
    """The caller's notifications, newest first, and how many are unread."""
    membership = _membership(request)
    count, rows = selectors.notifications_slice(
        membership=membership, offset=page.offset, limit=page.limit
    )
    return NotificationPageOut(
        count=count,
        unread=selectors.unread_count(membership=membership),
        items=[_out(n) for n in rows],
    )


@router.post("/notifications/read-all", response=responses({200: MarkedOut}))
def notification_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.notifications_mark_all_read(membership=_membership(request)))


@router.post("/notifications/{notification_id}/read", response=responses({200: NotificationOut}))
def notification_read(request: HttpRequest, notification_id: DbId) -> NotificationOut:
    """Mark one read (again: unchanged)."""
    membership = _membership(request)
    selectors.notification_of(membership=membership, pk=notification_id)  # others': 404
    return _out(services.notification_mark_read(membership=membership, pk=notification_id))
