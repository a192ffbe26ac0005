"""Listening: an organization's monitors (keywords to watch), its sources (RSS and Atom
feeds for now) and the mentions found in them. A mention keeps only what the inbox needs
(text, link, author handle, time, network, language, matched monitors) and is deleted after
the organization's retention (decision 0025)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned

DEFAULT_RETENTION_DAYS = 90
LANGUAGES = (("fr", _("French")), ("en", _("English")))


class MonitorCategory(models.TextChoices):
    """What a monitor watches: share of voice sets the brand against its competitors."""

    BRAND = "brand", _("Our brand")
    COMPETITOR = "competitor", _("Competitor")
    PRODUCT = "product", _("Product")
    EXECUTIVE = "executive", _("Executive")
    TREND = "trend", _("Trend or topic")


class Monitor(OrgOwned):
    """A named set of keywords and phrases, with exclusions and languages (empty: any)."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=20, choices=MonitorCategory.choices, default=MonitorCategory.BRAND
    )
    terms = models.JSONField(default=list)
    exclusions = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    owner = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class FeedKind(models.TextChoices):
    RSS = "rss", _("RSS or Atom feed")
    HACKERNEWS = "hackernews", _("Hacker News search")
    MASTODON_TAG = "mastodon_tag", _("Mastodon hashtag")


class Feed(OrgOwned):
    """A listening source, polled regularly. `kind` says which: an RSS or Atom feed (`url`,
    asked with a conditional GET: its ETag and Last-Modified kept); a Hacker News search
    (`query`, or the terms of the active monitors when empty; `cursor` is the newest
    `created_at_i` seen); a Mastodon hashtag timeline (`url` is the instance, `query` the
    hashtag, `cursor` the newest status id seen)."""

    kind = models.CharField(max_length=20, choices=FeedKind.choices, default=FeedKind.RSS)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    query = models.CharField(max_length=200, blank=True)
    cursor = models.CharField(max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    interval_minutes = models.PositiveIntegerField(default=30)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # What the last poll got: "ok", "not_modified" or a short error (never a body).
    last_result = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["url", "id"]
        indexes = [models.Index(fields=["active", "next_poll_at"], name="listening_feed_due_idx")]

    def __str__(self) -> str:
        if self.title:
            return self.title
        if self.kind == FeedKind.HACKERNEWS:
            return f"Hacker News · {self.query}" if self.query else "Hacker News"
        if self.kind == FeedKind.MASTODON_TAG:
            host = self.url.split("://", 1)[-1].rstrip("/")
            return f"#{self.query} · {host}"
        return self.url


class MentionStatus(models.TextChoices):
    NEW = "new", _("New")
    HANDLED = "handled", _("Handled")
    IGNORED = "ignored", _("Ignored")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Mention(OrgOwned):
    """A post or entry that matched at least one monitor; stored once per organization and
    source key (the feed entry's guid, or its link)."""

    key = models.CharField(max_length=64)  # sha256 of network + guid/URL
    network = models.CharField(max_length=20)
    url = models.URLField(max_length=1000, blank=True)
    text = models.TextField()
    author = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField()
    found_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=MentionStatus.choices, default=MentionStatus.NEW
    )
    monitors = models.ManyToManyField(Monitor, related_name="mentions")
    # Computed locally when the mention is stored (empty: not computed, e.g. a language the
    # analysers do not read); the score is the analyser's compound, -1 to 1.
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    assignee = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="listening_mention_once")
        ]
        indexes = [
            models.Index(fields=["organization", "published_at"], name="listening_mention_time_idx")
        ]

    def __str__(self) -> str:
        return self.url or self.key


class ListeningPolicy(OrgOwned):
    """The organization's listening settings: how long mentions are kept."""

    retention_days = models.PositiveIntegerField(default=DEFAULT_RETENTION_DAYS)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="listening_policy_once")
        ]


from .models_voice import (  # noqa: E402 - share of voice and benchmarks (decision 0028)
    BenchmarkAccount,
    BenchmarkKind,
    BenchmarkSnapshot,
    VoiceDay,
)

__all__ = ["BenchmarkAccount", "BenchmarkKind", "BenchmarkSnapshot", "VoiceDay"]
