"""Notifications: in-app messages, web push subscriptions, each member's preferences, the
organization's push policy, and the pushes sent (to count the daily cap).

No IP address and no secret in clear: a subscription's endpoint and keys are sealed with
`core.crypto` (the endpoint's SHA-256 keeps it unique), and only the browser family of the
user agent is kept.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class Kind(models.TextChoices):
    CONTENT_LIVE = "content_live", _("Important content is live")
    POST_OUTCOME = "post_outcome", _("A post you scheduled went out or failed")
    RECONNECT = "reconnect", _("A connected account needs reconnecting")
    SUGGESTION = "suggestion", _("Your content suggestion was answered")
    EVENT = "event", _("An event you registered for is tomorrow")
    REWARD = "reward", _("Your reward request was answered")
    BADGE = "badge", _("You earned a badge")
    SURVEY = "survey", _("A survey for you opened, or closes soon")
    GOAL = "goal", _("A goal of the program was reached")
    CHAT_DISABLED = "chat_disabled", _("A Slack or Teams channel was turned off")
    WEBHOOK_DISABLED = "webhook_disabled", _("A webhook endpoint was turned off")
    LISTENING_ALERT = "listening_alert", _("A listening alert: a spike of mentions")
    LISTENING_ASSIGNED = "listening_assigned", _("A mention was assigned to you")


class PushState(models.TextChoices):
    NONE = "none", _("In-app only")
    PENDING = "pending", _("To be pushed")
    HELD = "held", _("Held for the end of quiet hours")
    SENT = "sent", _("Pushed")
    CAPPED = "capped", _("Not pushed: daily limit reached")
    SKIPPED = "skipped", _("Not pushed")
    FAILED = "failed", _("Push failed")


class Notification(OrgOwned):
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    # A path of this site ("/feed/"), never an absolute URL.
    url = models.CharField(max_length=500, blank=True)
    # The same event never notifies the same person twice ("post:42:published").
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    push_state = models.CharField(max_length=10, choices=PushState.choices, default=PushState.NONE)
    # Held during quiet hours: pushed from this moment on (see services.push_release_held).
    push_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "dedupe_key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["membership", "-created_at"], name="notification_list_idx"),
            models.Index(fields=["membership", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["push_state", "push_after"], name="notification_held_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class PushSubscription(OrgOwned):
    """One browser's push subscription (PushSubscription.toJSON()), sealed at rest."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    endpoint_hash = models.CharField(max_length=64, unique=True)
    endpoint_sealed = models.TextField()
    p256dh_sealed = models.TextField()
    auth_sealed = models.TextField()
    # "Firefox", "Chrome", "Safari", "Edge", "Other": enough to name the device, no more.
    browser = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField()
    last_push_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["membership"], name="push_subscription_member_idx")]


DEFAULT_QUIET_START = dt.time(21, 0)
DEFAULT_QUIET_END = dt.time(8, 0)


class NotificationPreferences(OrgOwned):
    """A member's choices. A member without a row has the defaults: every kind on, push on
    (once a device is subscribed), quiet hours 21:00-08:00 in their own time zone."""

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    kinds_off = models.JSONField(default=list, blank=True)
    push_enabled = models.BooleanField(_("push notifications"), default=True)
    # Both empty: no quiet hours. Start after end: across midnight (21:00-08:00).
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    # IANA name; empty: the person's own time zone, else the platform's.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    updated_at = models.DateTimeField()


DEFAULT_MAX_PUSHES_PER_DAY = 2
MAX_PUSHES_LIMIT = 20


class NotificationPolicy(OrgOwned):
    """The organization's rule for push notifications. No row: the defaults."""

    max_pushes_per_day = models.PositiveSmallIntegerField(
        _("pushes per member and day"),
        default=DEFAULT_MAX_PUSHES_PER_DAY,
        validators=[MaxValueValidator(MAX_PUSHES_LIMIT)],
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="notification_policy_once")
        ]


class PushDelivery(OrgOwned):
    """A notification pushed to a member (to all their devices at once): what the daily cap
    counts. One per notification, claimed before sending, so a retry never pushes twice."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="delivery"
    )
    sent_at = models.DateTimeField()
    # How many of the member's devices the push service accepted it for.
    devices = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["membership", "sent_at"], name="push_delivery_day_idx")]


# Email to ambassadors (digests, important content, bounces): models in their own module.
from . import models_mail  # noqa: E402,F401
from .models_chat import *  # noqa: E402, F403  (Slack, Teams and signatures: models_chat.py)
