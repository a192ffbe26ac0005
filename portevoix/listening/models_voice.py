"""Share of voice and benchmarks (decision 0028): the daily mention counts the share of
voice page reads (never the raw mentions), the public accounts a manager benchmarks, and
their daily snapshots (one row per account and day)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portevoix.core.tenancy import OrgOwned


class VoiceDay(OrgOwned):
    """How many mentions a monitor had on one local day (settings.TIME_ZONE, from
    `Mention.published_at`), per network and sentiment ("" = unknown). Kept up to date on
    ingest (an upsert adding 1) and recomputed for the recent days by a periodic job;
    `listening_voice_rebuild` recomputes any range. Aggregates only: no text, no author."""

    monitor = models.ForeignKey("listening.Monitor", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)
    sentiment = models.CharField(max_length=10, blank=True)
    mentions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "monitor", "day", "network", "sentiment"],
                name="listening_voiceday_key",
            )
        ]
        indexes = [models.Index(fields=["organization", "day"], name="listening_voiceday_day_idx")]


class BenchmarkKind(models.TextChoices):
    BLUESKY = "bluesky", _("Bluesky account")
    MASTODON = "mastodon", _("Mastodon account")
    BLOG = "blog", _("Blog (RSS or Atom feed)")


class BenchmarkAccount(OrgOwned):
    """A public account compared side by side: the organization's own or a competitor's.
    `handle` is the Bluesky handle, the Mastodon `user@instance`, or the blog's feed URL."""

    kind = models.CharField(max_length=20, choices=BenchmarkKind.choices)
    handle = models.CharField(_("account"), max_length=500)
    label = models.CharField(_("name"), max_length=100)
    own = models.BooleanField(_("our own account"), default=False)
    active = models.BooleanField(pgettext_lazy("a benchmarked account", "active"), default=True)
    # What the last snapshot got: "ok" or a short error (never a body).
    last_result = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-own", "label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "handle"], name="listening_benchmark_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


class BenchmarkSnapshot(OrgOwned):
    """One account on one day. `followers` and `posts_total` are None where the source has
    none (a blog); `engagement_per_post` is the mean of likes + reposts + replies (Bluesky)
    or favourites + boosts + replies (Mastodon) over the posts of the last 7 days, None
    without posts or for a blog. `best_posts`: up to 3 of those posts,
    {"url", "text" (truncated), "engagement", "topics"}; `topics`: the week's topics, best
    first, {"term", "posts", "engagement"} (see `benchmarks`)."""

    account = models.ForeignKey(BenchmarkAccount, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    followers = models.PositiveIntegerField(null=True, blank=True)
    posts_total = models.PositiveIntegerField(null=True, blank=True)
    posts_7d = models.PositiveIntegerField(default=0)
    engagement_per_post = models.FloatField(null=True, blank=True)
    best_posts = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="listening_snapshot_daily")
        ]
        indexes = [models.Index(fields=["organization", "day"], name="listening_snapshot_day_idx")]
