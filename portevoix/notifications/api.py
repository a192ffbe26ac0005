"""API router of in-app notifications (the `notifications` area): the caller's own
notifications (the bell's list), mark one read, mark all read. What /notifications/
offers; only the caller's own: another member's notification is a 404, as on the page.
The caller's notification settings, and the organization's push policy (administrators);
email settings and signatures stay on their pages for now (config/api_coverage.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic.json_schema import JsonDict

from portevoix.core.api_support import DbId, PageParams, StrictBool, StrictInt, Text, responses
from portevoix.core.api_support import membership as api_membership

from . import selectors, services
from .models import MAX_PUSHES_LIMIT, Kind, Notification, NotificationPreferences

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


# --- The caller's preferences, and the organization's push policy


class NotificationSettingsIn(Schema):
    """The caller's notification settings, whole (PUT replaces every field)."""

    kinds_on: list[Annotated[Text, Field(max_length=30)]] = Field(
        ..., max_length=len(Kind.values), description="The kinds to be told of"
    )
    push_enabled: StrictBool
    quiet_start: dt.time | None = Field(None, description="Quiet hours: no push between")
    quiet_end: dt.time | None = None
    time_zone: Text = Field("", max_length=64, description="IANA name; empty: one's own")


class NotificationSettingsOut(Schema):
    kinds_on: list[str]
    push_enabled: bool
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    time_zone: str


class PushPolicyIn(Schema):
    max_pushes_per_day: StrictInt = Field(..., ge=0, le=MAX_PUSHES_LIMIT, description="0: none")


class PushPolicyOut(Schema):
    max_pushes_per_day: int


def _settings_out(prefs: NotificationPreferences) -> NotificationSettingsOut:
    off = set(prefs.kinds_off or [])
    return NotificationSettingsOut(
        kinds_on=[k for k in Kind.values if k not in off],
        push_enabled=prefs.push_enabled,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
        time_zone=prefs.time_zone,
    )


@router.get("/notifications/settings", response=responses({200: NotificationSettingsOut}))
def settings_detail(request: HttpRequest) -> NotificationSettingsOut:
    return _settings_out(selectors.preferences(membership=_membership(request)))


@router.put("/notifications/settings", response=responses({200: NotificationSettingsOut}))
def settings_update(
    request: HttpRequest, payload: NotificationSettingsIn
) -> NotificationSettingsOut:
    """What the caller is told of, push on or off, quiet hours (both ends or neither)."""
    prefs = services.preferences_update(
        membership=_membership(request),
        data=services.PreferencesData(
            kinds_on=list(payload.kinds_on),
            push_enabled=payload.push_enabled,
            quiet_start=payload.quiet_start,
            quiet_end=payload.quiet_end,
            time_zone=payload.time_zone,
        ),
    )
    return _settings_out(prefs)


@router.put("/notifications/policy", response=responses({200: PushPolicyOut}))
def policy_update(request: HttpRequest, payload: PushPolicyIn) -> PushPolicyOut:
    """The organization's daily push limit per member (administrators)."""
    policy = services.policy_update(
        membership=_membership(request), max_pushes_per_day=payload.max_pushes_per_day
    )
    return PushPolicyOut(max_pushes_per_day=policy.max_pushes_per_day)
