"""The rewards catalogue, the organization's reward settings and the redemptions.

A redemption holds its points in recognition's ledger (`recognition.services.points_hold`,
key "redeem:<id>") from the moment it is asked for; a refusal or a cancellation releases
them (a reversal row), a fulfilment keeps them spent. Stock is taken when asked for and
given back on a refusal or a cancellation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class RewardKind(models.TextChoices):
    GIFT = "gift", _("Gift")
    DAY_OFF = "day_off", _("Day off")
    EVENT = "event_invitation", _("Event invitation")
    SPEAKER = "speaker_slot", _("Speaker slot")
    TRAINING = "training", _("Training")
    DONATION = "donation", _("Donation to a charity")


class RewardSettings(OrgOwned):
    """One row per organization (created on first use)."""

    # Points that may be redeemed per calendar month across the organization (None: no limit).
    monthly_budget = models.PositiveIntegerField(null=True, blank=True)
    # A member's first redemption waits for an administrator; later ones are approved at once.
    first_needs_approval = models.BooleanField(default=True)
    # The rewards are of value (a gift, a day off): shares then carry the incentive disclosure.
    of_value = models.BooleanField(default=False)
    disclosure = models.CharField(max_length=60, default="#employee")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="reward_settings_once")
        ]


class Reward(OrgOwned):
    kind = models.CharField(max_length=20, choices=RewardKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cost = models.PositiveIntegerField()
    # How many are left (None: unlimited).
    stock = models.PositiveIntegerField(null=True, blank=True)
    # Shown to the members of these teams only (none: everyone).
    teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organization", "active", "cost"], name="reward_list_idx")]


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    FULFILLED = "fulfilled", _("Fulfilled")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses whose points stay held (and count in the month's budget).
HOLDING = (RedemptionStatus.PENDING, RedemptionStatus.APPROVED, RedemptionStatus.FULFILLED)


class Redemption(OrgOwned):
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    cost = models.PositiveIntegerField()  # the reward's cost when asked for
    status = models.CharField(
        max_length=12, choices=RedemptionStatus.choices, default=RedemptionStatus.PENDING
    )
    reason = models.TextField(blank=True)  # why it was refused
    created_at = models.DateTimeField()
    month = models.DateField()  # the budget's month (its first day)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["membership", "-created_at"], name="redemption_mine_idx"),
            models.Index(
                fields=["organization", "status", "created_at"], name="redemption_queue_idx"
            ),
            models.Index(fields=["organization", "month", "status"], name="redemption_budget_idx"),
        ]

    @property
    def hold_key(self) -> str:
        return f"redeem:{self.pk}"
