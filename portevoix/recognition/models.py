"""The points ledger, its per-period totals and the organization's rules. How each person
appears on the boards is their one choice kept by accounts (`AmbassadorProfile.visibility`).

The ledger (`PointEntry`) is append-only: an award and a reversal are rows, never updated or
deleted; `key` is unique per organization, so an event awards once whatever the retries.
`PointTotal` holds the sums per member and period, kept in the same transaction as each
inserted entry, so a board never scans the ledger.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned


class RuleCode(models.TextChoices):
    SHARE = "share", pgettext_lazy("points earned for", "Share")
    ORIGINAL_POST = "original_post", _("Original post")
    CLICK = "click", _("Unique click received")
    LIKE = "like", _("Like received")
    REPOST = "repost", _("Repost received")
    COMMENT = "comment", _("Comment received")
    CONVERSION = "conversion", _("Conversion")
    COURSE_PASSED = "course_passed", _("Course passed")
    EVENT_ATTENDED = "event_attended", _("Event attended")
    IDEA_ACCEPTED = "idea_accepted", _("Idea accepted")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    CHALLENGE_BONUS = "challenge_bonus", _("Challenge bonus")


class PointRule(OrgOwned):
    """How many points an event of `code` is worth, from `valid_from` on. A change is a new
    row: an event is valued by the row in force when it happened (never retroactively)."""

    code = models.CharField(max_length=30, choices=RuleCode.choices)
    points = models.IntegerField()
    # At most this many points a day from this rule for one person (0: no cap).
    daily_cap = models.PositiveIntegerField(default=0)
    # At most this many points a day from this rule and one network for one person (0: none).
    network_daily_cap = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    valid_from = models.DateTimeField()
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code", "valid_from"], name="point_rule_version_once"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "code", "-valid_from"], name="point_rule_idx")
        ]


class PointEntry(OrgOwned):
    """One award or reversal. Append-only."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="point_entries"
    )
    rule = models.CharField(max_length=30, choices=RuleCode.choices)
    # Points for recognition (boards) and points that rewards may spend, kept apart.
    lifetime = models.IntegerField()
    spendable = models.IntegerField()
    # The event: its kind ("share", "click", "snapshot", ...) and id in its app.
    source_type = models.CharField(max_length=30)
    source_id = models.BigIntegerField()
    network = models.CharField(max_length=20, blank=True, choices=NETWORK_CHOICES)
    # Unique per organization: the same event never awards twice. "reverse:<key>" undoes.
    key = models.CharField(max_length=120)
    # When the event happened (its day and period); when the row was written.
    at = models.DateTimeField()
    day = models.DateField()
    created_at = models.DateTimeField()
    # The caps cut the award (to zero, possibly): shown to the person.
    capped = models.BooleanField(default=False)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # How many of the event (3 likes: 3), so that a recount can value it again.
    count = models.PositiveIntegerField(default=1)
    # A recount's correction of the award it points to (the award stays as it was).
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    # Why a reversal was made, when someone decided it (a confirmed fair-play flag).
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="point_entry_once")
        ]
        indexes = [
            models.Index(fields=["membership", "-at", "-id"], name="point_entry_mine_idx"),
            models.Index(
                fields=["membership", "rule", "day", "network"], name="point_entry_day_idx"
            ),
            models.Index(
                fields=["organization", "source_type", "source_id"], name="point_entry_source_idx"
            ),
        ]


class PointRecount(OrgOwned):
    """An administrator asked to value again the events since `since` with the rules in
    force now (the only way a rule reaches back): who, when, and what it changed."""

    requested_by = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    since = models.DateField()
    entries_changed = models.PositiveIntegerField(default=0)
    points_delta = models.IntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]


class Period(models.TextChoices):
    WEEK = "week", _("This week")
    MONTH = "month", _("This month")
    QUARTER = "quarter", _("This quarter")
    ALL = "all", _("All time")


class PointTotal(OrgOwned):
    """A member's points in one period (week from Monday, month, quarter, all time: `start`
    is the period's first day; all time starts on 2000-01-01). Teams are derived by joining
    the members' teams."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="point_totals"
    )
    period = models.CharField(max_length=10, choices=Period.choices)
    start = models.DateField()
    points = models.IntegerField(default=0)
    spendable = models.IntegerField(default=0)
    # Whether a board lists the member whatever the organization's default (not inactive,
    # not withdrawn, not "not at all" by choice): kept by accounts' `listing_changed` and
    # the daily check (`services.listing`), so a rank counts the listed rows above without
    # a join (docs/decisions/0033-listed-totals.md).
    listed = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "period", "start"], name="point_total_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "period", "start", "-points", "membership"],
                name="point_total_board_idx",
            ),
            models.Index(
                fields=["organization", "period", "start", "-points", "membership"],
                name="point_total_listed_idx",
                condition=models.Q(listed=True),
            ),
            # The few rows of the unlisted, with their points (the teams' board subtracts
            # the inactive and withdrawn among them).
            models.Index(
                fields=["organization", "period", "start", "membership", "points"],
                name="point_total_unlisted_idx",
                condition=models.Q(listed=False),
            ),
        ]


class PointHistogram(OrgOwned):
    """How many listed members (`PointTotal.listed`) have exactly `points` (above zero) in a
    period: a rank is one plus the sum of the buckets above, a few hundred rows at most,
    whatever the number of members and whatever the table's vacuum state (decision 0033).
    Kept with the totals by the ledger's writes and by the listing's changes, as rows of
    +n and -n inserted and never updated; a bucket's count is the sum of its rows, folded
    into one row every minute (decision 0035)."""

    period = models.CharField(max_length=10, choices=Period.choices)
    start = models.DateField()
    points = models.IntegerField()
    members = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # The buckets above a member's points, their counts read from the index.
            models.Index(
                fields=["organization", "period", "start", "points", "members"],
                name="point_histogram_bucket_idx",
            )
        ]


class TeamTotal(OrgOwned):
    """The sum of one period's points of a team's members (every linked member, active or
    not: the boards subtract the few inactive and withdrawn), kept with `PointTotal` by the
    ledger's writes and by the changes of team membership (accounts' `team_links_changed`),
    so the teams' board reads one row per team."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, choices=Period.choices)
    start = models.DateField()
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "period", "start"], name="team_total_once")
        ]
        indexes = [
            models.Index(fields=["organization", "period", "start"], name="team_total_board_idx")
        ]


class TeamSize(OrgOwned):
    """How many members a team has (every linked member, active or not), kept with the
    team links (accounts' `team_links_changed`)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    members = models.IntegerField(default=0)


class PendingAward(OrgOwned):
    """An award written in its event's own transaction (one insert) and given by the next
    batch once that transaction commits (`services.pending`): a share's points cost the
    share one row, and are given with others at the batches' cost per event (decision
    0034). The key is the ledger's: a replay adds nothing, here or there."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(max_length=30)
    source_type = models.CharField(max_length=30)
    source_id = models.BigIntegerField()
    network = models.CharField(max_length=20, blank=True)
    key = models.CharField(max_length=120)
    at = models.DateTimeField()
    count = models.IntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="pending_award_once")
        ]
        indexes = [
            models.Index(
                fields=["organization", "source_type", "source_id"],
                name="pending_award_source_idx",
            )
        ]


class DailyUse(OrgOwned):
    """Points already given today by one rule to one member (`network` "" for all networks):
    what the caps are checked against, locked while an award is written."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(max_length=30)
    day = models.DateField()
    network = models.CharField(max_length=20, blank=True)
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "rule", "day", "network"], name="daily_use_once"
            )
        ]


# --- Badges and challenges (issue 12, part 2)

# What a badge counts besides a rule's ledger rows (`RuleCode`): all-time points, a month's
# top 10 (when the month closes) and the coaching sessions led (attendance marked).
POINTS = "points"
MONTHLY_TOP = "monthly_top10"
SESSIONS_COACHED = "sessions_coached"


class BadgeShape(models.TextChoices):
    CIRCLE = "circle", _("Circle")
    SHIELD = "shield", _("Shield")
    STAR = "star", _("Star")
    HEXAGON = "hexagon", _("Hexagon")


class BadgeColor(models.TextChoices):
    GOLD = "gold", _("Gold")
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    PURPLE = "purple", _("Purple")
    RED = "red", _("Red")


class Badge(OrgOwned):
    """A badge of the organization: earned once per person when `counter` reaches
    `threshold`. The built-in ones have a `code` (their name is translated); an
    administrator's own have none and their own name."""

    code = models.CharField(max_length=30, blank=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # A `RuleCode` (its ledger rows counted), POINTS, MONTHLY_TOP or SESSIONS_COACHED.
    counter = models.CharField(_("counts"), max_length=30)
    threshold = models.PositiveIntegerField(_("from"), default=1)
    shape = models.CharField(
        _("shape"), max_length=10, choices=BadgeShape.choices, default=BadgeShape.CIRCLE
    )
    color = models.CharField(
        _("colour"), max_length=10, choices=BadgeColor.choices, default=BadgeColor.GOLD
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["threshold", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=~models.Q(code=""),
                name="badge_builtin_once",
            )
        ]
        indexes = [models.Index(fields=["organization", "counter"], name="badge_counter_idx")]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        from .badge_kinds import BUILTIN

        builtin = BUILTIN.get(self.code)
        return str(builtin.name) if builtin else self.name

    @property
    def explanation(self) -> str:
        from .badge_kinds import BUILTIN, describe

        builtin = BUILTIN.get(self.code)
        if builtin:
            return str(builtin.description)
        return self.description or describe(self.counter, self.threshold)


class BadgeAward(OrgOwned):
    """A person earned a badge: once (unique), never taken back."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="badge_awards"
    )
    earned_at = models.DateTimeField()

    class Meta:
        ordering = ["-earned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "membership"], name="badge_award_once")
        ]
        indexes = [
            models.Index(fields=["membership", "earned_at"], name="badge_award_mine_idx"),
            models.Index(fields=["badge", "-earned_at"], name="badge_award_holders_idx"),
        ]


class MonthClosed(OrgOwned):
    """A month whose top 10 was awarded: claimed once, so the task may run any number of
    times."""

    month = models.DateField()
    closed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="month_closed_once")
        ]


class ChallengeMetric(models.TextChoices):
    SHARES = "shares", _("Shares")
    ORIGINAL_POSTS = "original_posts", _("Original posts")
    CLICKS = "clicks", _("Unique clicks")
    POINTS = "points", _("Points")


class ChallengeScope(models.TextChoices):
    ORGANIZATION = "organization", _("The whole organization")
    TEAM = "team", _("A team")
    CAMPAIGN = "campaign", _("A campaign")


class Challenge(OrgOwned):
    """A goal over a period (200 shares of a campaign by Friday). `progress` is kept by
    each ledger entry that counts (in its transaction), so the page reads one row."""

    title = models.CharField(_("title"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    metric = models.CharField(_("what counts"), max_length=20, choices=ChallengeMetric.choices)
    target = models.PositiveIntegerField(_("target"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    scope = models.CharField(_("who takes part"), max_length=20, choices=ChallengeScope.choices)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The bonus goes to each participant with at least this score (and at least 1).
    min_score = models.PositiveIntegerField(_("minimum personal score for the bonus"), default=1)
    bonus_points = models.PositiveIntegerField(_("bonus points"), default=0)
    progress = models.IntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "metric", "ends_at", "starts_at"],
                name="challenge_running_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="challenge_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChallengeParticipant(OrgOwned):
    """What one person contributed to a challenge; `bonus_at` once their bonus is in the
    ledger (keyed "challenge:<id>:<membership id>")."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    score = models.IntegerField(default=0)
    bonus_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "membership"], name="challenge_participant_once"
            )
        ]
        indexes = [
            models.Index(fields=["challenge", "-score", "membership"], name="challenge_top_idx")
        ]


from .models_fairplay import *  # noqa: E402, F403  (fair play's flags: models_fairplay.py)
