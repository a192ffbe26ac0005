"""The content calendar's own rows: each member's secret iCalendar feed address."""

from __future__ import annotations

from django.db import models

from portevoix.core.tenancy import OrgOwned


class CalendarFeedToken(OrgOwned):
    """The secret of a member's iCalendar feed, stored hashed (SHA-256): the address is shown
    once, when it is made. A new one revokes the old one; revoked rows are kept."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # the secret's first characters, to recognize it
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
