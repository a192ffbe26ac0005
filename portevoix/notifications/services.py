"""Every write of notifications.

The rules, in the order they apply:
- someone who withdrew from the ambassador programme (or whose membership ended) gets
  nothing: no notification is created, nothing pending is pushed, and their push
  subscriptions are deleted when they withdraw;
- a kind the member switched off: nothing at all;
- push off, no subscribed device, or no VAPID key on this installation: in-app only;
- quiet hours (in the member's time zone): the in-app notification at once, the push held;
  when the quiet hours end, held pushes that are still unread and less than a day old go
  out, oldest first, within the daily cap (`push_release_held`, every five minutes);
- at most N pushes per member and local day (the organization's policy, default 2): the
  others stay in-app only;
- a subscription that the push service answers 404 or 410 is deleted.

Each event has a dedupe key, unique per member: the same event never notifies twice, and a
push is claimed (its `PushDelivery` row) before it is sent, so a retry never pushes twice.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.accounts import frame
from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped, scoped

from . import push, rules
from .messages import Message
from .models import (
    DEFAULT_MAX_PUSHES_PER_DAY,
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    MAX_PUSHES_LIMIT,
    Kind,
    Notification,
    NotificationPolicy,
    NotificationPreferences,
    PushDelivery,
    PushState,
    PushSubscription,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.notifications")

BATCH = 500
HELD_MAX_AGE = dt.timedelta(hours=24)
ACCEPTED = {200, 201, 202}
GONE = {404, 410}
# Past this many members notified at once, their bells are refreshed by one organization-wide
# move of the page frame (accounts/frame.py) instead of one per member.
FRAME_BUMPS_PER_NOTICE = 50

# A message for one language (active) and time zone.
Builder = Callable[[dt.tzinfo], Message]


# --------------------------------------------------------------------------- preferences


def preferences_of(membership_id: int, organization_id: int) -> NotificationPreferences:
    """The member's preferences, or the defaults (unsaved) when they never chose."""
    found = NotificationPreferences.objects.filter(membership_id=membership_id).first()
    return found or _default_preferences(membership_id, organization_id)


def _default_preferences(membership_id: int, organization_id: int) -> NotificationPreferences:
    return NotificationPreferences(
        organization_id=organization_id,
        membership_id=membership_id,
        kinds_off=[],
        push_enabled=True,
        quiet_start=DEFAULT_QUIET_START,
        quiet_end=DEFAULT_QUIET_END,
        time_zone="",
        updated_at=clock.now(),
    )


def max_pushes_per_day(organization_id: int) -> int:
    found = scoped(NotificationPolicy, organization_id).values_list("max_pushes_per_day", flat=True)
    for value in found[:1]:
        return int(value)
    return DEFAULT_MAX_PUSHES_PER_DAY


@dataclass
class PreferencesData:
    kinds_on: list[str] = field(default_factory=lambda: list(Kind.values))
    push_enabled: bool = True
    quiet_start: dt.time | None = DEFAULT_QUIET_START
    quiet_end: dt.time | None = DEFAULT_QUIET_END
    time_zone: str = ""


def preferences_update(*, membership: Membership, data: PreferencesData) -> NotificationPreferences:
    errors: dict[str, list[str]] = {}
    unknown = set(data.kinds_on) - set(Kind.values)
    if unknown:
        errors["kinds"] = [_("Unknown kind of notification.")]
    if (data.quiet_start is None) != (data.quiet_end is None):
        errors["quiet_end"] = [_("Give both ends of the quiet hours, or neither.")]
    tz = data.time_zone.strip()
    if tz and tz not in rules.time_zone_names():
        errors["time_zone"] = [_("Unknown time zone.")]
    if errors:
        raise DomainError(_("Your notification settings have errors."), field_errors=errors)
    prefs, _created = NotificationPreferences.objects.update_or_create(
        membership_id=membership.pk,
        defaults={
            "organization_id": membership.organization_id,
            "kinds_off": sorted(set(Kind.values) - set(data.kinds_on)),
            "push_enabled": data.push_enabled,
            "quiet_start": data.quiet_start,
            "quiet_end": data.quiet_end,
            "time_zone": tz,
            "updated_at": clock.now(),
        },
    )
    return prefs


def policy_update(*, membership: Membership, max_pushes_per_day: int) -> NotificationPolicy:
    """The organization's daily push limit per member (0: no push at all)."""
    require(membership, "org.manage")
    if not 0 <= max_pushes_per_day <= MAX_PUSHES_LIMIT:
        message = _("Between 0 and %(max)d.") % {"max": MAX_PUSHES_LIMIT}
        raise DomainError(message, field_errors={"max_pushes_per_day": [message]})
    policy, _created = NotificationPolicy.objects.update_or_create(
        organization_id=membership.organization_id,
        defaults={"max_pushes_per_day": max_pushes_per_day, "updated_at": clock.now()},
    )
    return policy


# --------------------------------------------------------------------------- in-app


def notification_mark_read(*, membership: Membership, pk: int) -> Notification:
    """Mark one of the member's notifications read; another member's is `NotFound`."""
    notification = get_scoped(
        Notification.objects.filter(membership_id=membership.pk), membership.organization_id, pk=pk
    )
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, membership: Membership) -> int:
    marked = (
        scoped(Notification, membership.organization_id)
        .filter(membership_id=membership.pk, read_at__isnull=True)
        .update(read_at=clock.now())
    )
    if marked:  # the bell (an update sends no signal)
        frame.bump_member(membership_id=membership.pk, organization_id=membership.organization_id)
    return marked


def notify(
    *,
    organization_id: int,
    membership_ids: Iterable[int],
    kind: str,
    dedupe_key: str,
    build: Builder,
    now: dt.datetime | None = None,
) -> list[int]:
    """Notify these members of one event. Returns the ids of the notifications created
    (none for a member who withdrew, switched the kind off, or already had this event);
    their pushes are queued once the transaction commits."""
    now = now or clock.now()
    wanted = list(dict.fromkeys(membership_ids))
    created: list[int] = []
    for start in range(0, len(wanted), BATCH):
        created += _notify_batch(
            organization_id, wanted[start : start + BATCH], kind, dedupe_key[:120], build, now
        )
    if created:
        transaction.on_commit(lambda: _queue_pushes(created))
    return created


def _notify_batch(
    organization_id: int, ids: list[int], kind: str, key: str, build: Builder, now: dt.datetime
) -> list[int]:
    withdrawn = account_selectors.withdrawn_member_ids(ids)
    ids = [pk for pk in ids if pk not in withdrawn]
    done = set(
        Notification.objects.filter(membership_id__in=ids, dedupe_key=key).values_list(
            "membership_id", flat=True
        )
    )
    prefs = {
        p.membership_id: p for p in NotificationPreferences.objects.filter(membership_id__in=ids)
    }
    ids = [pk for pk in ids if pk not in done and kind not in (_prefs(prefs, pk).kinds_off or [])]
    if not ids:
        return []
    can_push = push.enabled() and max_pushes_per_day(organization_id) > 0
    devices = set(
        PushSubscription.objects.filter(membership_id__in=ids).values_list(
            "membership_id", flat=True
        )
    )
    locales = account_selectors.member_locales(organization_id=organization_id, membership_ids=ids)
    cache: dict[tuple[str, str], Message] = {}
    rows = []
    for pk in ids:
        pref = _prefs(prefs, pk)
        language, user_tz = locales.get(pk, ("en", ""))
        tz_name = pref.time_zone or user_tz
        if (language, tz_name) not in cache:
            with translation.override(language):
                cache[(language, tz_name)] = build(rules.zone(tz_name)).clipped()
        message = cache[(language, tz_name)]
        pushing = can_push and pref.push_enabled and pk in devices
        rows.append(
            Notification(
                organization_id=organization_id,
                membership_id=pk,
                kind=kind,
                title=message.title,
                body=message.body,
                url=message.url,
                dedupe_key=key,
                created_at=now,
                push_state=PushState.PENDING if pushing else PushState.NONE,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # The bells (bulk_create sends no signal): each member's, or everyone's for a crowd.
    if len(rows) > FRAME_BUMPS_PER_NOTICE:
        frame.bump_organization(organization_id)
    else:
        for row in rows:
            frame.bump_member(membership_id=row.membership_id, organization_id=organization_id)
    return list(
        Notification.objects.filter(
            membership_id__in=ids, dedupe_key=key, created_at=now
        ).values_list("pk", flat=True)
    )


def _prefs(found: dict[int, NotificationPreferences], pk: int) -> NotificationPreferences:
    return found.get(pk) or _default_preferences(pk, 0)


def _queue_pushes(notification_ids: list[int]) -> None:
    from .tasks import send_push

    pending = Notification.objects.filter(
        pk__in=notification_ids, push_state=PushState.PENDING
    ).values_list("pk", flat=True)
    for pk in pending:
        send_push(pk)


# --------------------------------------------------------------------------- push


def _set_state(notification: Notification, state: str) -> str:
    notification.push_state = state
    notification.save(update_fields=["push_state"])
    return str(state)


def push_send(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """Push one notification to the member's devices if the rules allow it now. Returns
    what happened: "sent", "held", "capped", "failed", or why nothing was sent."""
    now = now or clock.now()
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.push_state not in {PushState.PENDING, PushState.HELD}:
        return "nothing"
    member_id, org_id = notification.membership_id, notification.organization_id
    if account_selectors.withdrawn_member_ids([member_id]):
        _set_state(notification, PushState.SKIPPED)
        return "withdrawn"
    prefs = preferences_of(member_id, org_id)
    if notification.kind in (prefs.kinds_off or []) or not prefs.push_enabled:
        _set_state(notification, PushState.SKIPPED)
        return "switched-off"
    if not push.enabled():
        _set_state(notification, PushState.NONE)
        return "disabled"
    if notification.read_at is not None or notification.created_at < now - HELD_MAX_AGE:
        _set_state(notification, PushState.SKIPPED)
        return "stale"
    tz = rules.zone(prefs.time_zone or _user_time_zone(org_id, member_id))
    quiet_until = rules.quiet_hours_end(now, tz, prefs.quiet_start, prefs.quiet_end)
    if quiet_until is not None:
        notification.push_state, notification.push_after = PushState.HELD, quiet_until
        notification.save(update_fields=["push_state", "push_after"])
        return "held"
    targets = list(PushSubscription.objects.filter(membership_id=member_id))
    if not targets:
        _set_state(notification, PushState.NONE)
        return "no-device"
    delivery = _claim(notification, tz, now)
    if delivery is None:
        return "capped"
    return _deliver(notification, delivery, targets, now)


def _user_time_zone(organization_id: int, membership_id: int) -> str:
    locales = account_selectors.member_locales(
        organization_id=organization_id, membership_ids=[membership_id]
    )
    return locales.get(membership_id, ("", ""))[1]


def _claim(notification: Notification, tz: dt.tzinfo, now: dt.datetime) -> PushDelivery | None:
    """Count the member's pushes of the day and take this one, or mark it capped. The
    member's preferences row is locked meanwhile, so two workers cannot both take the last
    push of the day."""
    member_id, org_id = notification.membership_id, notification.organization_id
    with transaction.atomic():
        NotificationPreferences.objects.get_or_create(
            membership_id=member_id,
            defaults={
                "organization_id": org_id,
                "quiet_start": DEFAULT_QUIET_START,
                "quiet_end": DEFAULT_QUIET_END,
                "updated_at": now,
            },
        )
        NotificationPreferences.objects.select_for_update().filter(membership_id=member_id).get()
        claimed = Notification.objects.filter(
            pk=notification.pk, push_state__in=[PushState.PENDING, PushState.HELD]
        ).update(push_state=PushState.SENT)
        if not claimed:
            return None
        sent_today = PushDelivery.objects.filter(
            membership_id=member_id, sent_at__gte=rules.day_start(now, tz)
        ).count()
        if sent_today >= max_pushes_per_day(org_id):
            Notification.objects.filter(pk=notification.pk).update(push_state=PushState.CAPPED)
            notification.push_state = PushState.CAPPED
            return None
        try:
            with transaction.atomic():
                delivery = PushDelivery.objects.create(
                    organization_id=org_id,
                    membership_id=member_id,
                    notification=notification,
                    sent_at=now,
                )
        except IntegrityError:  # pushed already
            return None
    notification.push_state = PushState.SENT
    return delivery


def _deliver(
    notification: Notification,
    delivery: PushDelivery,
    targets: list[PushSubscription],
    now: dt.datetime,
) -> str:
    payload = {
        "title": notification.title,
        "body": notification.body,
        "url": notification.url or "/notifications/",
        "tag": f"portevoix-{notification.pk}",
    }
    accepted = 0
    for subscription in targets:
        try:
            target = push.Target(
                endpoint=crypto.decrypt(subscription.endpoint_sealed),
                p256dh=crypto.decrypt(subscription.p256dh_sealed),
                auth=crypto.decrypt(subscription.auth_sealed),
            )
        except crypto.DecryptionError:
            subscription.delete()
            continue
        status = push.send(target, payload, topic=payload["tag"])
        if status in ACCEPTED:
            accepted += 1
            PushSubscription.objects.filter(pk=subscription.pk).update(last_push_at=now)
        elif status in GONE:
            subscription.delete()
            logger.info(
                "push_subscription_gone",
                extra={"organization_id": notification.organization_id, "status": status},
            )
        else:
            logger.warning(
                "push_refused",
                extra={"organization_id": notification.organization_id, "status": status},
            )
    if accepted:
        PushDelivery.objects.filter(pk=delivery.pk).update(devices=accepted)
        return "sent"
    delivery.delete()  # not counted against the day's limit
    _set_state(notification, PushState.FAILED)
    return "failed"


def push_release_held(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Held pushes whose quiet hours are over go out now (oldest first, within the cap;
    `push_send` drops those read or older than a day). Returns how many were pushed."""
    now = now or clock.now()
    due = Notification.objects.filter(push_state=PushState.HELD, push_after__lte=now).order_by(
        "created_at", "id"
    )
    return sum(
        push_send(notification_id=pk, now=now) == "sent"
        for pk in list(due.values_list("pk", flat=True)[:limit])
    )


# --------------------------------------------------------------------------- subscriptions


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()


def _key_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def browser_family(user_agent: str) -> str:
    ua = user_agent or ""
    for needle, family in (
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("OPR/", "Opera"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ):
        if needle in ua:
            return family
    return "Other"


def subscription_save(
    *, membership: Membership, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store a browser's push subscription for the member (the same browser, subscribed
    again or by another account, replaces its row)."""
    endpoint = (endpoint or "").strip()
    if push.endpoint_problem(endpoint):
        raise DomainError(_("This push address is not accepted."))
    receiver, secret = _key_bytes(p256dh or ""), _key_bytes(auth or "")
    if (
        receiver is None
        or len(receiver) != 65
        or receiver[0] != 4
        or not secret
        or len(secret) != 16
    ):
        raise DomainError(_("This push subscription has invalid keys."))
    if account_selectors.withdrawn_member_ids([membership.pk]):
        raise DomainError(_("You withdrew from the ambassador programme: nothing is sent to you."))
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint_hash=endpoint_hash(endpoint),
        defaults={
            "organization_id": membership.organization_id,
            "membership_id": membership.pk,
            "endpoint_sealed": crypto.encrypt(endpoint),
            "p256dh_sealed": crypto.encrypt(p256dh),
            "auth_sealed": crypto.encrypt(auth),
            "browser": browser_family(user_agent),
            "created_at": clock.now(),
        },
    )
    return subscription


def subscription_delete(*, membership: Membership, endpoint: str) -> int:
    deleted, _detail = PushSubscription.objects.filter(
        membership_id=membership.pk, endpoint_hash=endpoint_hash((endpoint or "").strip())
    ).delete()
    return deleted


def member_withdrew(*, organization_id: int, membership_id: int) -> int:
    """Someone withdrew: their push subscriptions are deleted and nothing pending is
    pushed. Returns how many subscriptions were deleted."""
    deleted, _detail = (
        scoped(PushSubscription, organization_id).filter(membership_id=membership_id).delete()
    )
    scoped(Notification, organization_id).filter(
        membership_id=membership_id, push_state__in=[PushState.PENDING, PushState.HELD]
    ).update(push_state=PushState.SKIPPED)
    logger.info(
        "push_subscriptions_deleted_on_withdrawal", extra={"organization_id": organization_id}
    )
    return deleted
