"""Reads of notifications, scoped to the member (another member's notification is
`NotFound`, like another organization's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core.context_processors import TopbarItem
from portevoix.core.tenancy import get_scoped, scoped

from . import push, rules, services
from .models import Notification, NotificationPreferences, PushSubscription
from .models_mail import EmailPreferences

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PER_PAGE = 20


def _mine(membership: Membership) -> QuerySet[Notification]:
    return scoped(Notification, membership.organization_id).filter(membership_id=membership.pk)


def notifications_page(*, membership: Membership, page: str | int | None) -> Page[Notification]:
    """One page of the member's notifications, newest first (one query for the rows, one
    for the count)."""
    return Paginator(_mine(membership).order_by("-created_at", "-id"), PER_PAGE).get_page(page)


def notifications_slice(
    *, membership: Membership, offset: int, limit: int
) -> tuple[int, list[Notification]]:
    """The member's notifications, newest first, from `offset` (the API's pages): the count
    and the rows, one query each."""
    rows = _mine(membership).order_by("-created_at", "-id")
    return rows.count(), list(rows[offset : offset + limit])


def latest_notifications(*, membership: Membership, limit: int = 5) -> list[Notification]:
    """The member's newest notifications, read or not (the alerts of their home). One query."""
    return list(_mine(membership).order_by("-created_at", "-id")[:limit])


def notification_of(*, membership: Membership, pk: int) -> Notification:
    return get_scoped(_mine(membership), membership.organization_id, pk=pk)


def unread_count(*, membership: Membership) -> int:
    return int(_mine(membership).filter(read_at__isnull=True).count())


def topbar_bell(request: HttpRequest) -> list[TopbarItem]:
    """The top bar's bell (`settings.TOPBAR_ITEM_PROVIDERS`): a link to the notifications
    with the unread count (one query); nothing for a visitor with no current organization."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    membership = getattr(request, "membership", None)
    if not membership:  # None, or the middleware's lazy object wrapping None
        return []
    # Kept in the member's page frame (accounts/frame.py): a notification, or reading one,
    # moves the member's version.
    unread = frame.cached(membership, "bell", lambda: unread_count(membership=membership))
    if unread:
        label = ngettext("Notifications: %(n)d unread", "Notifications: %(n)d unread", unread) % {
            "n": unread
        }
    else:
        label = gettext("Notifications")
    return [
        TopbarItem(
            label=label, url=reverse("notifications:list"), icon="bell", count=unread, key="bell"
        )
    ]


@dataclass(frozen=True)
class PushStatus:
    enabled: bool  # this installation has a VAPID key
    public_key: str
    devices: int  # the member's subscribed browsers
    max_per_day: int  # the organization's limit


def push_status(*, membership: Membership) -> PushStatus:
    return PushStatus(
        enabled=push.enabled(),
        public_key=push.public_key(),
        devices=PushSubscription.objects.filter(membership_id=membership.pk).count(),
        max_per_day=services.max_pushes_per_day(membership.organization_id),
    )


def preferences(*, membership: Membership) -> NotificationPreferences:
    """The member's preferences, or the defaults (unsaved)."""
    return services.preferences_of(membership.pk, membership.organization_id)


def default_time_zone(*, membership: Membership) -> str:
    """The zone used when the member chose none here: their own, else the platform's."""
    locales = account_selectors.member_locales(
        organization_id=membership.organization_id, membership_ids=[membership.pk]
    )
    own = locales.get(membership.pk, ("", ""))[1]
    return own if own in rules.time_zone_names() else settings.TIME_ZONE


def time_zone_choices() -> list[str]:
    return sorted(rules.time_zone_names())


def policy_max_pushes(*, membership: Membership) -> int:
    require(membership, "org.manage")
    return services.max_pushes_per_day(membership.organization_id)


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    """The member's notification settings, how many devices are subscribed to pushes (never
    an endpoint or a key) and their notifications ("My data" page and archive, privacy)."""
    org_id = membership.organization_id
    prefs = scoped(NotificationPreferences, org_id).filter(membership=membership).first()
    email = scoped(EmailPreferences, org_id).filter(membership=membership).first()
    settings_row: dict[str, Any] = {
        "kinds_off": ", ".join(prefs.kinds_off) if prefs else "",
        "push_enabled": prefs.push_enabled if prefs else True,
        "quiet_start": prefs.quiet_start if prefs else None,
        "quiet_end": prefs.quiet_end if prefs else None,
        "time_zone": prefs.time_zone if prefs else "",
        "custom": prefs is not None,
        "email_digest": email.digest if email else "weekly",
        "email_important": email.important if email else True,
        "push_subscriptions": scoped(PushSubscription, org_id)
        .filter(membership=membership)
        .count(),
    }
    notes = [
        {"kind": n.kind, "title": n.title, "created_at": n.created_at, "read_at": n.read_at}
        for n in scoped(Notification, org_id).filter(membership=membership).order_by("created_at")
    ]
    return {"notification_settings": [settings_row], "notifications": notes}
