"""Listening: an organization's monitors (keywords to watch), its sources (RSS and Atom
feeds for now) and the mentions found in them. A mention keeps only what the inbox needs
(text, link, author handle, time, network, language, matched monitors) and is deleted after
the organization's retention (decision 0025)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portevoix.core.tenancy import OrgOwned

DEFAULT_RETENTION_DAYS = 90
DEFAULT_SPIKE_FACTOR = 3.0
DEFAULT_SPIKE_MINIMUM = 10
DEFAULT_NEGATIVE_RISE = 25
DEFAULT_NEGATIVE_MINIMUM = 5
LANGUAGES = (("fr", _("French")), ("en", _("English")))
HOME_TIMELINE = _("home timeline")
PUBLIC_TIMELINE = _("public timeline")


class MonitorCategory(models.TextChoices):
    """What a monitor watches: share of voice sets the brand against its competitors."""

    BRAND = "brand", _("Our brand")
    COMPETITOR = "competitor", _("Competitor")
    PRODUCT = "product", _("Product")
    EXECUTIVE = "executive", pgettext_lazy("a monitor's category: a person", "Executive")
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
    active = models.BooleanField(pgettext_lazy("a monitor or a source", "active"), default=True)
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
    BLUESKY = "bluesky", _("Bluesky network (firehose)")
    REDDIT = "reddit", _("Reddit search")
    MASTODON_STREAM = "mastodon_stream", _("Mastodon stream (with an account's token)")
    MASTODON_HOME = "mastodon_home", _("Mastodon followed accounts (with an account's token)")


class MastodonStream(models.TextChoices):
    """Which Mastodon stream a `mastodon_stream` feed follows (decision 0031)."""

    HASHTAG = "hashtag", _("A hashtag")
    PUBLIC = "public", _("The public timeline of the instance")
    USER = "user", _("The account's home (followed accounts, public posts only)")


class Feed(OrgOwned):
    """A listening source, polled regularly. `kind` says which: an RSS or Atom feed (`url`,
    asked with a conditional GET: its ETag and Last-Modified kept); a Hacker News search
    (`query`, or the terms of the active monitors when empty; `cursor` is the newest
    `created_at_i` seen); a Mastodon hashtag timeline (`url` is the instance, `query` the
    hashtag, `cursor` the newest status id seen); the Bluesky network (`url` is a relay or
    a PDS, https://host, whose firehose the stream worker follows: not polled; `cursor` is
    the `seq` of the last frame handled, decision 0026); a Reddit search (`query`, optionally
    in one `subreddit`; `cursor` is "<fullname>:<created_utc>" of the newest post seen;
    only with the organization's own Reddit app, decision 0032); with an account's access
    token (`token_sealed`, encrypted, decision 0031): a Mastodon stream (`stream`: a hashtag,
    in `query`, the public timeline or the account's home; followed live by the stream
    worker, `cursor` the newest status id seen) or the home timeline polled (followed
    accounts' public posts, `cursor` the newest status id seen)."""

    kind = models.CharField(max_length=20, choices=FeedKind.choices, default=FeedKind.RSS)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    query = models.CharField(max_length=200, blank=True)
    cursor = models.CharField(max_length=100, blank=True)
    subreddit = models.CharField(max_length=21, blank=True)  # Reddit: the search in r/<this>
    title = models.CharField(_("title"), max_length=200, blank=True)
    active = models.BooleanField(pgettext_lazy("a monitor or a source", "active"), default=True)
    interval_minutes = models.PositiveIntegerField(default=30)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # Curated source (decision 0029): its new entries are proposed to the content managers
    # as third-party / industry news, whether or not they match a monitor.
    curate = models.BooleanField(_("propose its entries for the library"), default=False)
    # Mastodon with an account (decision 0031): the access token, sealed with core.crypto
    # (never shown back, never logged), and which stream a `mastodon_stream` feed follows.
    token_sealed = models.TextField(blank=True)
    stream = models.CharField(max_length=10, choices=MastodonStream.choices, blank=True)
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
        if self.kind == FeedKind.BLUESKY:
            return f"Bluesky · {self.url.split('://', 1)[-1].rstrip('/')}"
        if self.kind == FeedKind.REDDIT:
            where = f"r/{self.subreddit}" if self.subreddit else "Reddit"
            return f"{where} · {self.query}" if self.query else where
        if self.kind in (FeedKind.MASTODON_STREAM, FeedKind.MASTODON_HOME):
            host = self.url.split("://", 1)[-1].rstrip("/")
            if self.kind == FeedKind.MASTODON_HOME or self.stream == MastodonStream.USER:
                return f"Mastodon · {host} · {HOME_TIMELINE}"
            if self.stream == MastodonStream.HASHTAG:
                return f"Mastodon · {host} · #{self.query}"
            return f"Mastodon · {host} · {PUBLIC_TIMELINE}"
        return self.url


class MentionStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("a mention", "New")
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
            # The inbox's keyset pages: newest first by (published_at, id), per organization,
            # with or without the status filter (decision 0027).
            models.Index(
                fields=["organization", "published_at", "id"], name="listening_mention_page_idx"
            ),
            models.Index(
                fields=["organization", "status", "published_at", "id"],
                name="listening_mention_status_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.key


class ListeningPolicy(OrgOwned):
    """The organization's listening settings: how long mentions are kept, and when a monitor's
    hour is a spike (decision 0027): at least `spike_minimum` mentions and `spike_factor`
    times the median hourly count of the previous 7 days; negative sentiment rises sharply
    when at least `negative_minimum` mentions of the hour are negative and their share is
    `negative_rise` points above the 7 days' share."""

    retention_days = models.PositiveIntegerField(default=DEFAULT_RETENTION_DAYS)
    spike_factor = models.FloatField(default=DEFAULT_SPIKE_FACTOR)
    spike_minimum = models.PositiveIntegerField(default=DEFAULT_SPIKE_MINIMUM)
    negative_rise = models.PositiveIntegerField(default=DEFAULT_NEGATIVE_RISE)  # points, %
    negative_minimum = models.PositiveIntegerField(default=DEFAULT_NEGATIVE_MINIMUM)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="listening_policy_once")
        ]


class RedditApp(OrgOwned):
    """The organization's own Reddit app (decision 0032): without it the Reddit source is not
    offered. The client secret is sealed with `core.crypto` and never shown back; the
    User-Agent is the one Reddit's API rules ask for, naming the app and its owner."""

    client_id = models.CharField(max_length=100)
    client_secret_sealed = models.TextField()
    user_agent = models.CharField(max_length=200)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="listening_reddit_app_once")
        ]

    def __str__(self) -> str:
        return self.user_agent


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACCEPTED = "accepted", pgettext_lazy("curated proposals", "Accepted")
    DISMISSED = "dismissed", pgettext_lazy("curated proposals", "Dismissed")


class Proposal(OrgOwned):
    """An entry of a curated source, proposed to the content managers as third-party /
    industry news (the seeds' 80/20: 20 % sector watch). Accepting it makes a draft item in
    the library, credited to its source, which then goes through approval like any other."""

    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, related_name="proposals")
    key = models.CharField(max_length=64)  # the entry's key, as a mention's
    source_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=1000)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField()
    found_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="listening_proposal_once")
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "published_at"], name="listening_proposal_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title


class AlertKind(models.TextChoices):
    VOLUME = "volume", _("Spike of mentions")
    NEGATIVE = "negative", _("Rise of negative sentiment")


class SpikeAlert(OrgOwned):
    """A monitor's hour that passed its baseline: raised once per monitor, kind and hour (the
    unique constraint makes retries and concurrent workers harmless)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    hour = models.DateTimeField()  # the start of the hour (UTC)
    count = models.PositiveIntegerField()  # mentions of the hour
    baseline = models.FloatField()  # median hourly count of the 7 days before
    negatives = models.PositiveIntegerField(default=0)  # negative mentions of the hour
    negative_share = models.FloatField(default=0)  # of the hour's mentions with a sentiment
    baseline_share = models.FloatField(default=0)  # the same over the 7 days before
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-hour", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "kind", "hour"], name="listening_alert_once")
        ]
        indexes = [models.Index(fields=["organization", "hour"], name="listening_alert_time_idx")]

    def __str__(self) -> str:
        return f"{self.monitor_id}:{self.kind}:{self.hour:%Y-%m-%dT%H}"


from .models_voice import (  # noqa: E402 - share of voice and benchmarks (decision 0028)
    BenchmarkAccount,
    BenchmarkKind,
    BenchmarkSnapshot,
    VoiceDay,
)

__all__ = ["BenchmarkAccount", "BenchmarkKind", "BenchmarkSnapshot", "VoiceDay"]
