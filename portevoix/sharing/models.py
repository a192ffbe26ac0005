"""Shares, tracked short links, clicks and conversions.

Clicks are written by the click ingester (never by the redirect itself): the redirect
appends each click to a durable journal and answers at once; the worker reads the journal
and inserts `Click` rows in batches, idempotently keyed by `journal_key`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned


class TrackedLink(OrgOwned):
    """One short link per (ambassador, item, network): https://HOST/l/<code>."""

    code = models.CharField(max_length=16, unique=True)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="tracked_links"
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.CASCADE, related_name="tracked_links"
    )
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "item", "network"], name="one_link_per_share_target"
            )
        ]


class ShareState(models.TextChoices):
    OPENED = "opened", _("Opened")
    CONFIRMED = "confirmed", _("Confirmed by the ambassador")
    PUBLISHED = "published", _("Published through the network's API")


class Share(OrgOwned):
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="shares"
    )
    item = models.ForeignKey("content.ContentItem", on_delete=models.CASCADE, related_name="shares")
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    link = models.ForeignKey(TrackedLink, on_delete=models.PROTECT, related_name="shares")
    text = models.TextField(blank=True)
    # The ambassador rewrote the suggested copy: an original post (the seeds reward it).
    personalized = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=ShareState.choices, default=ShareState.OPENED)
    # The sharer's audience on this network when they shared: potential reach.
    audience = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Taken down by moderation: still listed (and still in the rollups), marked removed.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "membership", "-created_at"], name="share_mine_idx"
            )
        ]


class Click(OrgOwned):
    """One counted click. Raw IPs are never stored: `visitor` is a salted hash whose salt
    rotates daily."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    # Denormalized from the link for rollups and attribution.
    item_id_copy = models.BigIntegerField()
    membership_id_copy = models.BigIntegerField()
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    at = models.DateTimeField()
    day = models.DateField()
    visitor = models.CharField(max_length=32)
    # First click of this visitor on this link this day (only those are counted).
    counted = models.BooleanField(default=True)
    referrer_network = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    # The first-party click id passed to the destination (`pv_click`), for conversions.
    click_id = models.CharField(max_length=32, unique=True)
    # Where the click came from in the journal: a retry of the same batch inserts nothing.
    journal_key = models.CharField(max_length=80, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["link", "day", "visitor"], name="click_dedupe_idx"),
            models.Index(fields=["organization", "day"], name="click_day_idx"),
        ]


class ConversionKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    SIGNUP = "signup", _("Sign-up")
    JOB_APPLICATION = "job_application", _("Job application")
    PURCHASE = "purchase", _("Purchase")


class Conversion(OrgOwned):
    external_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ConversionKind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, blank=True)
    click = models.ForeignKey(Click, null=True, on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey(TrackedLink, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    source = models.CharField(max_length=10)  # "pixel" or "api"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="conversion_once")
        ]


class TrackingSettings(models.Model):
    """Per-organization tracking: UTM parameters, fallback, attribution window, keys."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="tracking"
    )
    utm_enabled = models.BooleanField(default=True)
    utm_source = models.CharField(max_length=60, default="{network}")
    utm_medium = models.CharField(max_length=60, default="employee_advocacy")
    utm_campaign = models.CharField(max_length=60, default="{campaign}")
    utm_content = models.CharField(max_length=60, default="{ambassador}")
    fallback_url = models.URLField(blank=True)
    attribution_days = models.PositiveSmallIntegerField(default=30)
    # Secret for signed server-to-server conversion reports (HMAC-SHA256), encrypted at rest.
    conversion_key_encrypted = models.TextField(blank=True)
