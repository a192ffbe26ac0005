"""Connected accounts and what is published through them.

- `NetworkApp`: an organization's own client id/secret for a network (else the environment's).
- `MastodonApp`: our app as registered on one Mastodon instance (registered once, cached).
- `Connection`: one ambassador's account on one network; tokens encrypted at rest.
- `OAuthState`: one authorization in flight (state + PKCE verifier), single use, short-lived.
- `Post`: one publication through a connection, now or scheduled; the engine's unit of work.
- `CadenceRule`, `CrisisPause`, `Delegation`: the organization's rules around publishing.
- `EngagementSnapshot`: what a published post had earned at one moment.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned


class NetworkApp(OrgOwned):
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    client_id = models.CharField(max_length=300)
    client_secret_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "network"], name="one_app_per_network")
        ]


class MastodonApp(models.Model):
    """Not organization-owned: the same registration serves every organization of this
    platform (same redirect URI)."""

    instance = models.CharField(max_length=300)  # https://host[:port]
    redirect_uri = models.CharField(max_length=500)
    client_id = models.CharField(max_length=300)
    client_secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "redirect_uri"], name="one_app_per_instance"
            )
        ]


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Connected")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs to be reconnected")


class Connection(OrgOwned):
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="connections"
    )
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    account_id = models.CharField(max_length=300)
    handle = models.CharField(max_length=300, blank=True)
    display_name = models.CharField(max_length=300, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    # Mastodon instance / Bluesky PDS base URL.
    instance = models.CharField(max_length=300, blank=True)
    # "personal" or "company" (a Facebook Page, a company-affiliated account: seed 000 #2).
    kind = models.CharField(max_length=10, default="personal")
    # JSON of the TokenSet, Fernet-encrypted (portevoix.core.crypto). Never in clear.
    tokens_encrypted = models.TextField()
    token_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    status_reason = models.TextField(blank=True)
    # A lease that serializes token refreshes (rotating refresh tokens are single-use).
    refreshing_until = models.DateTimeField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    followers_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["network", "handle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "network", "account_id"], name="one_connection_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.handle}"


class OAuthState(OrgOwned):
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    # sha256 of the state sent to the network: the state itself is never stored.
    state_hash = models.CharField(max_length=64, unique=True)
    code_verifier_encrypted = models.TextField(blank=True)
    instance = models.CharField(max_length=300, blank=True)
    redirect_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class PostState(models.TextChoices):
    # "post state": French agrees these with « publication » (feminine).
    AWAITING_APPROVAL = (
        "awaiting_approval",
        pgettext_lazy("post state", "Waiting for the account owner's approval"),
    )
    SCHEDULED = "scheduled", pgettext_lazy("post state", "Scheduled")
    HELD = "held", pgettext_lazy("post state", "Held by a publishing pause")
    PUBLISHING = "publishing", pgettext_lazy("post state", "Publishing")
    PUBLISHED = "published", pgettext_lazy("post state", "Published")
    FAILED = "failed", pgettext_lazy("post state", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("post state", "Cancelled")


OPEN_STATES = (
    PostState.AWAITING_APPROVAL,
    PostState.SCHEDULED,
    PostState.HELD,
    PostState.PUBLISHING,
)


class WhenMode(models.TextChoices):
    NOW = "now", _("Now")
    AT = "at", _("At a time I choose")
    BEST = "best", _("At the best time")


def _new_key() -> str:
    return uuid.uuid4().hex


class Post(OrgOwned):
    # The account owner (whose account it goes out on).
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="posts"
    )
    connection = models.ForeignKey(
        Connection, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    item = models.ForeignKey("content.ContentItem", on_delete=models.CASCADE, related_name="posts")
    link = models.ForeignKey("sharing.TrackedLink", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    personalized = models.BooleanField(default=False)
    mode = models.CharField(max_length=5, choices=WhenMode.choices, default=WhenMode.NOW)
    scheduled_at = models.DateTimeField()
    # Why the slot was moved from the one asked for (cadence), shown to the ambassador.
    schedule_note = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=PostState.choices, default=PostState.SCHEDULED)
    # Delegated posting: the assistant who prepared it; approved by the owner before it goes.
    prepared_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The engine's bookkeeping.
    key = models.CharField(max_length=32, unique=True, default=_new_key)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    # What the connector saved between attempts (container id, record key...).
    remote_state = models.JSONField(default=dict, blank=True)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    held_by = models.ForeignKey(
        "CrisisPause", null=True, blank=True, on_delete=models.SET_NULL, related_name="held_posts"
    )
    share = models.OneToOneField(
        "sharing.Share", null=True, blank=True, on_delete=models.SET_NULL, related_name="post"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # The network no longer has the post (the sync found it gone): no longer synced.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["state", "scheduled_at"], name="post_due_idx"),
            models.Index(fields=["organization", "membership", "state"], name="post_mine_idx"),
            models.Index(fields=["state", "published_at"], name="post_sync_idx"),
        ]


class CadenceRule(OrgOwned):
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    # At most this many posts per ambassador and (local) day on this network; 0 = no limit.
    max_per_day = models.PositiveSmallIntegerField(default=0)
    # At least this many minutes between two posts of one ambassador on this network.
    min_gap_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "network"], name="one_cadence_per_network"
            )
        ]


class CrisisPause(OrgOwned):
    # None: the whole organization; else only this campaign's posts.
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField()
    started_by = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]


class Delegation(OrgOwned):
    """`executive` lets `assistant` prepare and schedule posts on the executive's connected
    accounts; each post waits for the executive's approval (seed 001)."""

    executive = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="delegations_given"
    )
    assistant = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="delegations_received"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["executive", "assistant"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_delegation",
            )
        ]


class EngagementSnapshot(OrgOwned):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField()
    likes = models.PositiveIntegerField(null=True)
    replies = models.PositiveIntegerField(null=True)
    reposts = models.PositiveIntegerField(null=True)
    quotes = models.PositiveIntegerField(null=True)
    impressions = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["post", "at"]
        indexes = [models.Index(fields=["post", "-at"], name="snapshot_latest_idx")]
