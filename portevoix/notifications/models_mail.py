"""Email to ambassadors: each member's email choices, the organization's digest schedule,
the digest runs, one delivery row per email (the unique key that makes it exactly once), and
the suppressed addresses (a bounce fed back through the webhook).

Imported at the end of `models.py`. No secret in these tables: a delivery keeps the address
it went to (as the user table does), never a token; the unsubscribe links are signed, not
stored.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    DAILY = "daily", _("Every day")
    OFF = "off", _("Never")


class EmailList(models.TextChoices):
    """The lists a member can leave in one click (one signed token per member and list)."""

    DIGEST = "digest", _("The digest of new content")
    IMPORTANT = "important", _("Important content, as soon as it is live")


class EmailPreferences(OrgOwned):
    """A member's email choices. No row: the defaults (weekly digest, important emails on)."""

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(
        _("digest of new content"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    important = models.BooleanField(_("important content by email"), default=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "digest", "membership"], name="email_pref_digest_idx"
            )
        ]


DEFAULT_DIGEST_WEEKDAY = 0  # Monday (Python's weekday())
DEFAULT_DIGEST_HOUR = 9


class DigestSchedule(OrgOwned):
    """When the organization's digests start, in its time zone. No row: Monday 09:00 in
    the platform's time zone (daily digests: every day at that hour)."""

    weekday = models.PositiveSmallIntegerField(_("day of the weekly digest"), default=0)
    hour = models.PositiveSmallIntegerField(_("hour"), default=DEFAULT_DIGEST_HOUR)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="digest_schedule_once")
        ]


class DigestRun(OrgOwned):
    """One digest of an organization for one period ("2026-W49" weekly, "2026-12-06"
    daily), or one important item's email: sent in batches of members by id, each batch
    queueing the next."""

    # "weekly" or "daily" (a digest), or "important" (one important item, period "i<id>").
    frequency = models.CharField(max_length=10)
    period = models.CharField(max_length=12)
    started_at = models.DateTimeField()
    # Content live since then is new for a member who never had a digest.
    since = models.DateTimeField()
    # The last membership id a batch has taken (the next batch starts after it).
    cursor = models.BigIntegerField(default=0)
    # When a batch last moved the run on: a run not finished and untouched for longer than a
    # lease is resumed by the periodic check.
    touched_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "frequency", "period"], name="digest_run_once"
            )
        ]


class DeliveryKind(models.TextChoices):
    DIGEST = "digest", _("Digest")
    IMPORTANT = "important", _("Important content")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent: the address bounced")
    SKIPPED = "skipped", _("Not sent: nothing to send any more")


class EmailDelivery(OrgOwned):
    """One email to one member: created once (`key` is unique: "digest:<run>:<member>",
    "important:<item>:<member>"), claimed with a lease before it is sent, marked sent
    right after. Its Message-ID is derived from the key, so a resend is the same message."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    run = models.ForeignKey(DigestRun, null=True, blank=True, on_delete=models.CASCADE)
    item_id = models.BigIntegerField(null=True, blank=True)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A claim: the worker that set it owns the row until this moment.
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The class of the last error ("SMTPRecipientsRefused"), never its text (it may quote
    # the address or the server's secrets).
    last_error = models.CharField(max_length=80, blank=True)

    class Meta:
        # Partial indexes: marking a row sent (100,000 times in a run, one commit each)
        # only takes it out of the small "in flight" index.
        indexes = [
            models.Index(
                fields=["state", "created_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="email_delivery_inflight_idx",
            ),
            models.Index(fields=["membership", "kind"], name="email_delivery_member_idx"),
            models.Index(
                fields=["organization", "-created_at"],
                condition=models.Q(state__in=["failed", "suppressed"]),
                name="email_delivery_attention_idx",
            ),
        ]


class EmailSuppression(models.Model):
    """An address that bounced (or complained): nothing is sent to it any more, whatever the
    organization. Kept lower-case."""

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=20, default="bounce")
    created_at = models.DateTimeField()


LEASE = dt.timedelta(minutes=10)
