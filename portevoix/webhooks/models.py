"""An organization's webhook endpoints and the deliveries of events to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class WebhookEndpoint(OrgOwned):
    """An address that receives the events it subscribed to, signed with its own secret
    (sealed with `core.crypto`; shown once, on creation and rotation)."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    secret_sealed = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Deliveries that exhausted their retries in a row (a delivered one resets it).
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Set when the endpoint was turned off after repeated failures (the page's banner).
    auto_disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(OrgOwned):
    """One event for one endpoint: its body (kept as sent, so every attempt signs the same
    bytes), its attempts and what the last one got. Unique per endpoint and event."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=60)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # At most a short excerpt of the answer, or of the error: never the whole body.
    response_excerpt = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx"),
        ]
