"""Slack and Microsoft Teams channels, their deliveries, the organization's Slack app, and
the email signature settings (imported at the end of `notifications/models.py`).

No secret in clear: a channel's incoming-webhook URL, the Slack signing secret, the bot
token and a Slack `response_url` are sealed with `core.crypto`; only the webhook's host is
kept readable (to name it on the page).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned

__all__ = [
    "ChatConnection",
    "ChatDelivery",
    "ChatEvent",
    "ChatKind",
    "DeliveryState",
    "SignatureSettings",
    "SlackApp",
    "SlackShareRequest",
]


class ChatKind(models.TextChoices):
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")


class ChatEvent(models.TextChoices):
    LIVE = "live", _("New content in the feed, with share buttons")
    IMPORTANT = "important", _("Important content")
    DIGEST = "digest", _("A weekly summary of new content")
    CHALLENGE = "challenge", _("Challenge progress")
    GOAL = "goal", _("Goals reached")
    LISTENING = "listening", _("Listening alerts (spikes of mentions, negative sentiment)")


class ChatConnection(OrgOwned):
    """One channel: a Slack or Teams incoming webhook and the events it receives. Disabled
    by the platform after repeated failures (or at once when the webhook is gone)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ChatKind.choices)
    name = models.CharField(_("channel"), max_length=80)
    webhook_sealed = models.TextField()
    webhook_host = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class ChatDelivery(OrgOwned):
    """One event posted to one channel: unique per (channel, key), so a retry or a second
    signal never posts it twice. Claimed (`sending`) before the POST."""

    connection = models.ForeignKey(
        ChatConnection, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=12, choices=ChatEvent.choices)
    key = models.CharField(max_length=120)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "key"], name="chat_delivery_once")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="chat_delivery_due_idx"),
        ]


class SlackApp(OrgOwned):
    """The organization's Slack app: its signing secret (checks interactivity requests) and
    its bot token (reads the clicking person's email with users.info)."""

    signing_secret_sealed = models.TextField(blank=True)
    bot_token_sealed = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="slack_app_once")]


class SlackShareRequest(OrgOwned):
    """A click on "Share" in Slack, answered from the queue (Slack wants an answer within
    3 seconds; users.info and the reply are HTTP). Answered once."""

    slack_user = models.CharField(max_length=40)
    item_id = models.PositiveBigIntegerField()
    response_url_sealed = models.TextField()
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)


class SignatureSettings(OrgOwned):
    """The organization's part of every email signature: its social links and a banner."""

    website_url = models.URLField(_("website"), max_length=500, blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), max_length=500, blank=True)
    x_url = models.URLField(_("X profile"), max_length=500, blank=True)
    facebook_url = models.URLField(_("Facebook page"), max_length=500, blank=True)
    instagram_url = models.URLField(_("Instagram profile"), max_length=500, blank=True)
    youtube_url = models.URLField(_("YouTube channel"), max_length=500, blank=True)
    banner_image_url = models.URLField(_("banner image address"), max_length=500, blank=True)
    banner_alt = models.CharField(_("banner text for screen readers"), max_length=200, blank=True)
    banner_item = models.ForeignKey(
        "content.ContentItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("banner links to"),
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="signature_settings_once")
        ]
