"""Every write of listening: monitors and feeds (`listening.manage`, audited), a mention's
status (`listening.view`, audited), the retention; and the system's work: polling the due
feeds, storing each matching entry once, deleting mentions past the retention."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from . import curation, sentiment, services_reddit, voice
from .feed_rules import WITH_TOKEN, FeedData, clean_feed, feed_token
from .matching import Matcher, MonitorSpec, text_key
from .models import (
    DEFAULT_RETENTION_DAYS,
    Feed,
    FeedKind,
    ListeningPolicy,
    Mention,
    MentionStatus,
    Monitor,
    MonitorCategory,
    Proposal,
)
from .sources import SOURCES, Entry, FetchState, SourceError

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

log = logging.getLogger(__name__)

MAX_MONITORS = 200
MAX_TERMS = 50
MAX_TERM_LENGTH = 100
MAX_FEEDS = 200
MAX_RETENTION_DAYS = 730
FEEDS_PER_RUN = 50
# Followed by the stream worker (stream.py), not polled.
STREAMED = (FeedKind.BLUESKY, FeedKind.MASTODON_STREAM)


@dataclass
class MonitorData:
    name: str
    terms: list[str]
    exclusions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    active: bool = True
    category: str = MonitorCategory.BRAND  # what it watches (share of voice)


def _audit(
    actor: Any,
    action: str,
    object_type: str,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    gates.audit_record(
        organization=obj.organization_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------- monitors


def _terms(values: list[str]) -> list[str]:
    clean = []
    for value in values:
        value = " ".join(value.split())[:MAX_TERM_LENGTH]
        if value and text_key(value).strip() and value not in clean:
            clean.append(value)
    return clean[:MAX_TERMS]


def _clean_monitor(data: MonitorData) -> MonitorData:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()[:100]
    if not name:
        errors["name"] = [_("Give the monitor a name.")]
    terms = _terms(data.terms)
    if not terms:
        errors["terms"] = [_("Give at least one keyword or phrase.")]
    if errors:
        raise DomainError(_("The monitor has errors."), field_errors=errors)
    languages = [code for code in ("fr", "en") if code in data.languages]
    if data.category not in MonitorCategory.values:
        raise DomainError(
            _("The monitor has errors."), field_errors={"category": [_("Unknown category.")]}
        )
    return MonitorData(name, terms, _terms(data.exclusions), languages, data.active, data.category)


def _monitor_fields(monitor: Monitor) -> dict[str, Any]:
    return {
        "name": monitor.name,
        "terms": list(monitor.terms),
        "exclusions": list(monitor.exclusions),
        "languages": list(monitor.languages),
        "active": monitor.active,
        "category": monitor.category,
    }


def monitor_create(*, actor: Membership, data: MonitorData) -> Monitor:
    require(actor, "listening.manage")
    data = _clean_monitor(data)
    with transaction.atomic():
        if scoped(Monitor, actor.organization_id).count() >= MAX_MONITORS:
            raise DomainError(_("At most %(count)d monitors.") % {"count": MAX_MONITORS})
        now = clock.now()
        monitor = Monitor.objects.create(
            organization_id=actor.organization_id,
            name=data.name,
            terms=data.terms,
            exclusions=data.exclusions,
            languages=data.languages,
            active=data.active,
            category=data.category,
            owner=actor,
            created_at=now,
            updated_at=now,
        )
        _audit(
            actor,
            "listening.monitor_created",
            "listening_monitor",
            monitor,
            None,
            _monitor_fields(monitor),
        )
    return monitor


def monitor_update(*, actor: Membership, monitor: Monitor, data: MonitorData) -> Monitor:
    require(actor, "listening.manage", monitor)
    data = _clean_monitor(data)
    with transaction.atomic():
        monitor = scoped(Monitor, actor.organization_id).select_for_update().get(pk=monitor.pk)
        before = _monitor_fields(monitor)
        monitor.name, monitor.terms, monitor.exclusions = data.name, data.terms, data.exclusions
        monitor.languages, monitor.active = data.languages, data.active
        monitor.category = data.category
        after = _monitor_fields(monitor)
        if after != before:
            monitor.updated_at = clock.now()
            monitor.save(
                update_fields=[
                    "name",
                    "terms",
                    "exclusions",
                    "languages",
                    "active",
                    "category",
                    "updated_at",
                ]
            )
            _audit(actor, "listening.monitor_changed", "listening_monitor", monitor, before, after)
    return monitor


# --------------------------------------------------------------------------- feeds


def _same_source(organization_id: int, data: FeedData) -> Any:
    return scoped(Feed, organization_id).filter(
        kind=data.kind, url=data.url, query=data.query, stream=data.stream, subreddit=data.subreddit
    )


def _feed_fields(feed: Feed) -> dict[str, Any]:
    return {
        "kind": feed.kind,
        "url": feed.url,
        "query": feed.query,
        "subreddit": feed.subreddit,
        "title": feed.title,
        "interval_minutes": feed.interval_minutes,
        "active": feed.active,
        "curate": feed.curate,
        "stream": feed.stream,
        "token_saved": bool(feed.token_sealed),  # never the token
    }


def feed_create(*, actor: Membership, data: FeedData) -> Feed:
    require(actor, "listening.manage")
    data = clean_feed(data, actor.organization_id)
    with transaction.atomic():
        feeds = scoped(Feed, actor.organization_id)
        if feeds.count() >= MAX_FEEDS:
            raise DomainError(_("At most %(count)d feeds.") % {"count": MAX_FEEDS})
        if _same_source(actor.organization_id, data).exists():
            raise DomainError(
                _("The feed has errors."), field_errors={"url": [_("This feed is already here.")]}
            )
        now = clock.now()
        feed = Feed.objects.create(
            organization_id=actor.organization_id,
            kind=data.kind,
            url=data.url,
            query=data.query,
            subreddit=data.subreddit,
            title=data.title,
            interval_minutes=data.interval_minutes,
            active=data.active,
            curate=data.curate,
            stream=data.stream,
            token_sealed=crypto.encrypt(data.token) if data.token else "",
            next_poll_at=now,
            created_at=now,
            updated_at=now,
        )
        _audit(actor, "listening.feed_created", "listening_feed", feed, None, _feed_fields(feed))
    return feed


def feed_update(*, actor: Membership, feed: Feed, data: FeedData) -> Feed:
    """Change a source (its kind stays); another address, query or stream starts afresh.
    An empty token keeps the saved one; a new one replaces it (audited as changed, never
    shown)."""
    require(actor, "listening.manage", feed)
    data = clean_feed(
        replace(data, kind=feed.kind), feed.organization_id, token_saved=bool(feed.token_sealed)
    )
    with transaction.atomic():
        feed = scoped(Feed, actor.organization_id).select_for_update().get(pk=feed.pk)
        if _same_source(actor.organization_id, data).exclude(pk=feed.pk).exists():
            raise DomainError(
                _("The feed has errors."), field_errors={"url": [_("This feed is already here.")]}
            )
        before = _feed_fields(feed)
        fields = [name for name in _feed_fields(feed) if name not in ("kind", "token_saved")]
        fields.append("updated_at")
        where = (data.url, data.query, data.stream, data.subreddit)
        moved = where != (feed.url, feed.query, feed.stream, feed.subreddit)
        if moved:  # validators, cursor: not this one's
            feed.etag, feed.last_modified, feed.cursor = "", "", ""
            feed.next_poll_at = clock.now()
            fields += ["etag", "last_modified", "cursor", "next_poll_at"]
        feed.url, feed.query, feed.title = data.url, data.query, data.title
        feed.interval_minutes, feed.active = data.interval_minutes, data.active
        feed.curate, feed.stream, feed.subreddit = data.curate, data.stream, data.subreddit
        after = _feed_fields(feed)
        if data.token:
            feed.token_sealed = crypto.encrypt(data.token)
            fields.append("token_sealed")
            after["token_changed"] = True
        if after != before:
            feed.updated_at = clock.now()
            feed.save(update_fields=fields)
            _audit(actor, "listening.feed_changed", "listening_feed", feed, before, after)
    return feed


# --------------------------------------------------------------------------- retention


def retention_days(organization_id: int) -> int:
    policy = scoped(ListeningPolicy, organization_id).first()
    return policy.retention_days if policy else DEFAULT_RETENTION_DAYS


def retention_set(*, actor: Membership, days: int) -> ListeningPolicy:
    require(actor, "listening.manage")
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise DomainError(
            _("Keep mentions between 1 and %(max)d days.") % {"max": MAX_RETENTION_DAYS},
            field_errors={"retention_days": []},
        )
    with transaction.atomic():
        policy, _created = ListeningPolicy.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id,
            defaults={"retention_days": DEFAULT_RETENTION_DAYS, "updated_at": clock.now()},
        )
        before = policy.retention_days
        if before != days:
            policy.retention_days, policy.updated_at = days, clock.now()
            policy.save(update_fields=["retention_days", "updated_at"])
            _audit(
                actor,
                "listening.retention_changed",
                "listening_policy",
                policy,
                {"retention_days": before},
                {"retention_days": days},
            )
    return policy


def purge_expired() -> int:
    """Delete the mentions older than their organization's retention; returns how many.
    Their share of voice counts stay (aggregates, no personal data: `voice`)."""
    now = clock.now()
    deleted = 0
    organizations = set(Mention.objects.values_list("organization_id", flat=True).distinct())
    for organization_id in sorted(organizations):
        cutoff = now - dt.timedelta(days=retention_days(organization_id))
        _total, rows = scoped(Mention, organization_id).filter(published_at__lt=cutoff).delete()
        deleted += rows.get(Mention._meta.label, 0)
    for organization_id in sorted(set(Proposal.objects.values_list("organization_id", flat=True))):
        cutoff = now - dt.timedelta(days=retention_days(organization_id))
        curation.purge_expired(organization_id=organization_id, cutoff=cutoff)
    return deleted


# --------------------------------------------------------------------------- mentions


def mention_set_status(*, actor: Membership, mention: Mention, status: str) -> Mention:
    require(actor, "listening.view", mention)
    if status not in MentionStatus.values:
        raise DomainError(_("Unknown status."))
    with transaction.atomic():
        mention = scoped(Mention, actor.organization_id).select_for_update().get(pk=mention.pk)
        before = mention.status
        if before != status:
            mention.status = status
            mention.save(update_fields=["status"])
            _audit(
                actor,
                "listening.mention_status",
                "listening_mention",
                mention,
                {"status": before},
                {"status": status},
            )
    return mention


def matcher_for(organization_id: int) -> Matcher:
    monitors = scoped(Monitor, organization_id).filter(active=True)
    return Matcher(
        MonitorSpec(m.pk, tuple(m.terms), tuple(m.exclusions), tuple(m.languages)) for m in monitors
    )


def ingest(
    *, organization_id: int, network: str, entries: list[Entry], matcher: Matcher | None = None
) -> int:
    """Store each entry that matches a monitor of the organization, once: a second poll, or
    another worker polling at the same time, meets the unique key and adds nothing. Entries
    older than the retention are not stored. Returns how many mentions were created. A
    stream passes the `matcher` it keeps (else the organization's is built)."""
    matcher = matcher or matcher_for(organization_id)
    if matcher.automaton is None:  # no active monitor: nothing to look for
        return 0
    now = clock.now()
    cutoff = now - dt.timedelta(days=retention_days(organization_id))
    created = 0
    for entry in entries:
        published = min(entry.published_at or now, now)
        if published < cutoff:
            continue
        monitor_ids = matcher.match(entry.text, entry.language)
        if not monitor_ids:
            continue
        if scoped(Mention, organization_id).filter(key=entry.key).exists():
            continue
        feeling = sentiment.analyse(entry.text, entry.language)  # decision 0027
        try:
            with transaction.atomic():
                mention = Mention.objects.create(
                    organization_id=organization_id,
                    key=entry.key,
                    network=network,
                    url=entry.url,
                    text=entry.text,
                    author=entry.author,
                    language=entry.language or (feeling.language if feeling else ""),
                    published_at=published,
                    found_at=now,
                    sentiment=feeling.label if feeling else "",
                    sentiment_score=feeling.score if feeling else None,
                )
                mention.monitors.set(monitor_ids)
                voice.count_mention(mention, monitor_ids)  # the share of voice rollup
        except IntegrityError:
            continue  # another worker stored it first
        created += 1
    return created


def mentions_forget(*, organization_ids: list[int], keys: list[str]) -> int:
    """Delete the mentions of these source keys (posts deleted at the source: data
    minimisation), in these organizations; idempotent. Returns how many were deleted."""
    if not organization_ids or not keys:
        return 0
    _total, rows = Mention.objects.filter(
        organization_id__in=organization_ids, key__in=keys
    ).delete()
    return rows.get(Mention._meta.label, 0)


def _claim(feed: Feed, now: dt.datetime) -> bool:
    """Take the feed for this run: only one worker moves its next poll time forward."""
    later = now + dt.timedelta(minutes=feed.interval_minutes)
    return bool(
        Feed.objects.filter(pk=feed.pk, next_poll_at=feed.next_poll_at).update(next_poll_at=later)
    )


def _terms_of(organization_id: int) -> tuple[str, ...]:
    terms: list[str] = []
    for monitor in scoped(Monitor, organization_id).filter(active=True):
        terms += [t for t in monitor.terms if t not in terms]
    return tuple(terms)


def feed_poll(feed: Feed) -> int:
    """Fetch one source (by its kind: a conditional GET, or a search or timeline from its
    cursor) and store its matching entries; returns how many mentions were created. A
    failure is kept on the feed, short and without the body; the cursor then stays."""
    now = clock.now()
    created = 0
    fields = ["etag", "last_modified", "cursor", "last_result", "last_polled_at"]
    try:
        source = (
            services_reddit.source_of(feed.organization_id)
            if feed.kind == FeedKind.REDDIT
            else SOURCES.get(feed.kind, SOURCES[FeedKind.RSS])
        )
        state = FetchState(
            url=feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            query=feed.query,
            terms=_terms_of(feed.organization_id) if feed.kind == FeedKind.HACKERNEWS else (),
            cursor=feed.cursor,
            token=feed_token(feed) if feed.kind in WITH_TOKEN else "",
            subreddit=feed.subreddit,
        )
        result = source.fetch(state)
    except SourceError as exc:
        feed.last_result = exc.message[:200]
        retry_at = exc.retry_at
        log.info("listening feed %s: %s", feed.pk, exc.message)
    else:
        retry_at = result.retry_at
        if result.not_modified:
            feed.last_result = "not_modified"
        else:
            created = ingest(
                organization_id=feed.organization_id, network=source.network, entries=result.entries
            )
            if feed.curate:
                cutoff = now - dt.timedelta(days=retention_days(feed.organization_id))
                curation.propose(feed=feed, entries=result.entries, cutoff=cutoff)
            feed.etag, feed.last_modified = result.etag, result.last_modified
            feed.cursor = result.cursor[:100]
            feed.last_result = result.note[:200] or "ok"
    if retry_at is not None:  # not before the source allows, nor before the usual interval
        feed.next_poll_at = max(retry_at, now + dt.timedelta(minutes=feed.interval_minutes))
        fields.append("next_poll_at")
    feed.last_polled_at = now
    feed.save(update_fields=fields)
    return created


def poll_due_feeds(limit: int = FEEDS_PER_RUN) -> int:
    """Poll the active feeds whose time came (each claimed by one worker); returns how many
    mentions were created."""
    now = clock.now()
    due = list(
        Feed.objects.filter(active=True, next_poll_at__lte=now)
        .exclude(kind__in=STREAMED)
        .order_by("next_poll_at")[:limit]
    )
    created = 0
    for feed in due:
        if _claim(feed, now):
            created += feed_poll(feed)
    return created
