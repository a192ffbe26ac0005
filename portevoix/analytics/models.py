"""Rollup tables: the only tables the dashboards read.

Every figure is kept per cell and updated incrementally by `rollups.rollup_add`, in the same
transaction as the raw event (share, counted click, conversion); `rollups.rollups_rebuild`
recomputes cells from the raw events. Dashboards never scan raw clicks.

- `DailyRollup` is the fine cell: (organization, day, item, ambassador, network), with the
  item's campaign alongside. It answers everything, and is what an ambassador's own view
  reads (index by ambassador).
- The coarse tables (network; campaign and network; item and network; ambassador and
  network; team and network)
  hold the same figures summed over fewer dimensions, each at two grains:
  day rows (`grain="d"`, `period` = the day) and month rows (`grain="m"`, `period` = the
  first of the month). A date range is read as its whole months plus the days at its edges,
  so a year is about 12 rows per key instead of 365. They exist for speed only: each one
  always equals a sum of `DailyRollup` cells (the property tests check it).
- `MemberTotal` holds each ambassador's all-time sums, for the top-50 walk.

The engagement figures (`engagements`, `impressions`, `impression_engagements`) come from
posts published through connected accounts: a cell holds the latest figures the networks
reported for the posts of its shares, kept by adding the change each new snapshot brings
(`rollups.engagement_delta`). They may go down (a like withdrawn) but a cell never goes
below zero: it is always a sum of counts.

Each coarse table has a covering index (key, then every figure) in the order of a date-range
scan, so a dashboard query reads one index range and never the table rows (SQLite has no
INCLUDE; the same index serves PostgreSQL's index-only scans).

Ids of items, campaigns and ambassadors are plain integers, not foreign keys: rollups are
derived data (rebuilt from the raw events), and loading them must stay cheap. Money is kept
in cents (exact sums on SQLite as on PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned

GRAIN_DAY = "d"
GRAIN_MONTH = "m"
GRAIN_CHOICES = [(GRAIN_DAY, "day"), (GRAIN_MONTH, "month")]

# The figures every rollup table carries, in this order.
MEASURES = (
    "shares",
    "original_posts",
    "potential_reach",
    "clicks",
    "unique_visitors",
    "conversions",
    "conversion_value_cents",
    "engagements",
    "impressions",
    "impression_engagements",
)
# The figures a breakdown can be sorted by, so the all-time sums keep an index on each.
# `impression_engagements` is only the numerator of the engagement rate.
RANKED = tuple(m for m in MEASURES if m != "impression_engagements")


class Measures(OrgOwned):
    shares = models.BigIntegerField(default=0)
    # Shares whose text the ambassador rewrote (Share.personalized).
    original_posts = models.BigIntegerField(default=0)
    # Σ over shares of the sharer's audience on that network when they shared.
    potential_reach = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    # Distinct visitors per link and day, summed (the visitor hash rotates daily).
    unique_visitors = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_value_cents = models.BigIntegerField(default=0)
    # Σ over the cell's posts (connected accounts) of likes + replies + reposts + quotes,
    # from each post's latest snapshot (a figure the network does not give counts 0).
    engagements = models.BigIntegerField(default=0)
    # Σ of the views/impressions of those posts, where the network reports them.
    impressions = models.BigIntegerField(default=0)
    # Σ of the engagements of the posts whose network reported impressions: the numerator
    # of the engagement rate (impression_engagements ÷ impressions), which so never mixes
    # in networks that give no views.
    impression_engagements = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(Measures):
    day = models.DateField()
    item_id = models.BigIntegerField()
    # Derived from the item when the event was recorded; not part of the key.
    campaign_id = models.BigIntegerField(null=True)
    membership_id = models.BigIntegerField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "item_id", "membership_id", "network"],
                name="rollup_cell",
            )
        ]
        indexes = [
            # An ambassador's own figures, and the team/ambassador views with filters.
            models.Index(fields=["organization", "membership_id", "day"], name="rollup_member_idx"),
            # The ambassador and team tables filtered by a campaign.
            models.Index(fields=["organization", "campaign_id", "day"], name="rollup_campaign_idx"),
        ]


class NetworkRollup(Measures):
    """Per network only: the unfiltered totals, time series and table by network."""

    grain = models.CharField(max_length=1, choices=GRAIN_CHOICES)
    period = models.DateField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "grain", "period", "network"], name="rollup_network_cell"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "grain", "period", "network", *MEASURES],
                name="rollup_network_cover",
            )
        ]


class CampaignRollup(Measures):
    """Per (campaign, network): totals, time series, by campaign, by network.
    `campaign_id` 0 means "no campaign" (a key column cannot be NULL)."""

    grain = models.CharField(max_length=1, choices=GRAIN_CHOICES)
    period = models.DateField()
    campaign_id = models.BigIntegerField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "grain", "period", "campaign_id", "network"],
                name="rollup_campaign_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "grain", "period", "campaign_id", "network", *MEASURES],
                name="rollup_campaign_cover",
            )
        ]


class ItemRollup(Measures):
    """Per (item, network): the table by item."""

    grain = models.CharField(max_length=1, choices=GRAIN_CHOICES)
    period = models.DateField()
    item_id = models.BigIntegerField()
    campaign_id = models.BigIntegerField()  # 0: no campaign
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            # Item first: the figures of the top 50 items are one lookup each.
            models.UniqueConstraint(
                fields=["organization", "item_id", "network", "grain", "period"],
                name="rollup_item_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=[
                    "organization",
                    "grain",
                    "period",
                    "item_id",
                    "network",
                    "campaign_id",
                    *MEASURES,
                ],
                name="rollup_item_cover",
            )
        ]


class MemberRollup(Measures):
    """Per ambassador and network, all campaigns: the table by ambassador (with or
    without a network filter)."""

    grain = models.CharField(max_length=1, choices=GRAIN_CHOICES)
    period = models.DateField()
    membership_id = models.BigIntegerField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            # Ambassador first: the figures of a few ambassadors (the top 50) are one lookup
            # each.
            models.UniqueConstraint(
                fields=["organization", "membership_id", "grain", "period", "network"],
                name="rollup_member_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "grain", "period", "membership_id", "network", *MEASURES],
                name="rollup_member_cover",
            )
        ]


class TeamRollup(Measures):
    """Per team and network, all campaigns: the table by team, and the team filter.
    An ambassador's figures count in each of their current teams (so in two teams, in
    both): when someone joins or leaves a team, their whole history moves with them
    (`rollups.team_membership_changed`)."""

    grain = models.CharField(max_length=1, choices=GRAIN_CHOICES)
    period = models.DateField()
    team_id = models.BigIntegerField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "grain", "period", "team_id", "network"],
                name="rollup_team_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "grain", "period", "team_id", "network", *MEASURES],
                name="rollup_team_cover",
            )
        ]


class MemberTotal(Measures):
    """Each ambassador's all-time sums, on each network and on all (`network` ""), sorted
    by each figure a breakdown can be sorted by (one index per figure of `RANKED`).

    All-time sums bound any range's sums from above (no cell is ever negative), so the top 50
    ambassadors of a long range are found by walking ambassadors in this order and summing
    their range exactly, until the next one's all-time figure cannot reach the 50th
    (`selectors.breakdowns._top_members`): a few hundred ambassadors instead of all of them."""

    membership_id = models.BigIntegerField()
    network = models.CharField(max_length=20, blank=True)  # "": all networks

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "membership_id", "network"], name="rollup_member_total"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "network", f"-{m}", "membership_id"],
                name=f"total_{m[:18]}",
            )
            for m in RANKED
        ]


class GoalMetricCode(models.TextChoices):
    """What a goal aims at. The rollups count the first nine; ideas and training count the
    last two (`core.goal_metrics`)."""

    REACH = "reach", _("Potential reach")
    CLICKS = "clicks", _("Clicks")
    UNIQUE_VISITORS = "unique_visitors", _("Unique visitors")
    SHARES = "shares", _("Shares")
    ORIGINAL_POSTS = "original_posts", _("Original posts")
    ACTIVE_AMBASSADORS = "active_ambassadors", _("Active ambassadors")
    CONVERSIONS = "conversions", _("Conversions")
    CONVERSION_VALUE = "conversion_value", _("Conversion value")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate (%)")
    IDEAS_ACCEPTED = "ideas_accepted", _("Ideas accepted")
    CERTIFIED_AMBASSADORS = "certified_ambassadors", _("Certified ambassadors")


class Goal(OrgOwned):
    """A SMART goal: a figure to reach (`target`) between `start` and `deadline`, for the
    organization, a campaign or a team. Its progress is computed when read
    (`selectors.goals`); `reached_at` is set once, by the periodic check, when the figure
    first reaches the target (and the reaching is announced then, once)."""

    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("figure"), max_length=40, choices=GoalMetricCode.choices)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    visible_to_ambassadors = models.BooleanField(_("shown to ambassadors"), default=False)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    reached_at = models.DateTimeField(null=True, blank=True)
    reached_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organization", "archived_at", "deadline"], name="goal_open")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("start")), name="goal_dates_in_order"
            ),
            models.CheckConstraint(
                condition=models.Q(campaign__isnull=True) | models.Q(team__isnull=True),
                name="goal_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Cost per thousand impressions by network, by default (in the organization's currency):
# rounded market rates for paid reach, to be replaced by the organization's own.
DEFAULT_CPM = {
    "linkedin": "30.00",
    "x": "6.00",
    "facebook": "8.00",
    "mastodon": "5.00",
    "bluesky": "5.00",
    "threads": "6.00",
}


class InsightSettings(OrgOwned):
    """The organization's formula of earned media value (EMV) and its content mix target.

    EMV = sum over networks of (impressions ÷ 1,000 x that network's CPM) + clicks x cost
    per click + engagements x value per engagement; where a network reports no impressions,
    its potential reach stands in for them, and the page says it is an estimate."""

    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    cpm = models.JSONField(_("cost per thousand impressions, by network"), default=dict)
    cpc = models.DecimalField(
        _("cost per click"), max_digits=10, decimal_places=2, default=Decimal("1.50")
    )
    per_engagement = models.DecimalField(
        _("value per engagement"), max_digits=10, decimal_places=2, default=Decimal("0.20")
    )
    # The share of company and expertise content in the shares (seed 002: 80 / 20).
    mix_target = models.PositiveSmallIntegerField(_("company and expertise content, %"), default=80)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_insight_settings"),
            models.CheckConstraint(
                condition=models.Q(mix_target__lte=100), name="mix_target_percent"
            ),
        ]

    def cpm_for(self, network: str) -> Decimal:
        value = (self.cpm or {}).get(network, DEFAULT_CPM.get(network, "0"))
        return Decimal(str(value))


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly team report")
    MONTHLY = "monthly", _("Monthly management report")


class ReportSchedule(OrgOwned):
    """When a report is sent by email, and to whom: one per organization and kind. A weekly
    report goes out on `weekday` (0 Monday) at `hour`, after the week it tells about; a
    monthly one on `day` of the next month at `hour` (the platform's TIME_ZONE)."""

    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    enabled = models.BooleanField(_("send by email"), default=False)
    weekday = models.PositiveSmallIntegerField(_("day of the week"), default=0)
    day = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    recipients = models.ManyToManyField("accounts.Membership", blank=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="one_schedule_per_kind"),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6, day__gte=1, day__lte=28, hour__lte=23),
                name="schedule_moment_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.organization_id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class ReportDelivery(OrgOwned):
    """One report, of one period, to one recipient: unique, so that a retry or a second
    worker never sends it twice. Claimed (pending -> sending, a conditional UPDATE) before
    the email goes out; a failed send waits for `next_attempt_at` (backoff), then fails for
    good after `MAX_ATTEMPTS`."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    recipient = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A short reason (the exception's class and first words), never a secret or an address.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start", "recipient"], name="one_report_delivery"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="report_delivery_due")]

    def __str__(self) -> str:
        return f"{self.schedule_id}:{self.period_start}:{self.recipient_id}"
