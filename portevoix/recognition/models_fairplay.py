"""Fair play: the organization's thresholds, the shares it remembers and the flags it
raises for the community manager (imported at the end of `recognition/models.py`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portevoix.core.tenancy import OrgOwned

__all__ = [
    "FairPlayFlag",
    "FairPlaySettings",
    "FlagKind",
    "FlagStatus",
    "PostedShare",
]


class FairPlaySettings(OrgOwned):
    """The organization's thresholds for the fair-play flags (one row; defaults when none).
    A flag asks the community manager to look: it never changes a point by itself."""

    # More than `burst_shares` shares by one person within `burst_minutes`.
    burst_shares = models.PositiveIntegerField(default=10)
    burst_minutes = models.PositiveIntegerField(default=30)
    # The same personalized text posted by at least `same_text_people` people within
    # `same_text_hours` hours.
    same_text_people = models.PositiveIntegerField(default=3)
    same_text_hours = models.PositiveIntegerField(default=24)
    updated_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="fairplay_settings_once")
        ]


class PostedShare(OrgOwned):
    """What fair play needs of a posted share: who, when, and a hash of its normalized
    personalized text ("" when the suggested copy was kept). Never the text itself."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    share_id = models.BigIntegerField()
    text_hash = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "share_id"], name="posted_share_once")
        ]
        indexes = [
            models.Index(fields=["membership", "at"], name="posted_share_burst_idx"),
            models.Index(fields=["organization", "text_hash", "at"], name="posted_share_text_idx"),
        ]


class FlagKind(models.TextChoices):
    BURST = "burst", _("Burst of shares")
    SAME_TEXT = "same_text", _("Same text posted by several people")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("fair-play flag", "To review")
    DISMISSED = "dismissed", pgettext_lazy("fair-play flag", "Dismissed")
    CONFIRMED = "confirmed", pgettext_lazy("fair-play flag", "Confirmed")


class FairPlayFlag(OrgOwned):
    """A suspicious pattern for the community manager to review. `key` is unique per
    organization (one flag per burst or per text and window, whatever the retries);
    `evidence` holds the share ids, the window and the threshold that was passed."""

    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    key = models.CharField(max_length=120)
    members = models.ManyToManyField("accounts.Membership", related_name="+")
    evidence = models.JSONField(default=dict)
    # The last event of the pattern: a later one within the window joins this flag.
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    points_reversed = models.IntegerField(default=0)

    class Meta:
        ordering = ["-last_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="fairplay_flag_once")
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-last_at"], name="fairplay_flag_idx")
        ]
