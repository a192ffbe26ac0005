"""The streaming sources' worker (decision 0026): one firehose subscription per Bluesky host
(relay or PDS) serves every organization that has an active `bluesky` feed on that host.

Exactly once, resumably: a post becomes a mention through `services.ingest` (the unique key
per organization makes a second sight a no-op) and a post deleted at the source is deleted
here (`services.mentions_forget`, idempotent). The stream remembers the `seq` of the last
frame it has fully handled and writes it to its feeds' `cursor` every `SAVE_EVERY` frames or
`SAVE_SECONDS`, and when it stops; a reconnection or a restart subscribes from that cursor.
What was handled after the last save is replayed and changes nothing, and nothing after the
cursor is skipped: a frame's seq is taken only once its posts are stored.

`run_streams` (the `listening_stream` command) keeps one thread per host, follows the
feeds added or removed every `REFRESH_SECONDS`, and stops them all when asked. It streams only
while it holds the installation's lease (a key in the shared cache, Redis on several
machines: `cache.add` is atomic there), renewed at every refresh: a second worker waits, and
takes over within `LEASE_SECONDS` when the first is gone.

Beside the Bluesky hosts, it follows each active `mastodon_stream` feed on a connection of its
own (`FeedStream`, decision 0031): the stream is the feed's account's (its token), so it
feeds that feed's organization only. Its cursor is the newest status id seen; after every
(re)connection the REST timeline behind the stream is read from it (`since` the gap), once
the stream is open, so a status posted while disconnected is stored, and one both read and
streamed is stored once (the unique key).
"""

from __future__ import annotations

import functools
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from portevoix.core import clock

from . import bluesky, mastodon, services
from .matching import Matcher
from .models import Feed, FeedKind
from .sources import Entry, SourceError

log = logging.getLogger(__name__)

SAVE_EVERY = 1000  # frames
SAVE_SECONDS = 5.0
REFRESH_SECONDS = 30.0  # feeds and monitors read again
TICK_SECONDS = 0.5  # how long one wait for a frame lasts: the stop is seen within it
MAX_BACKOFF_SECONDS = 60.0
HEALTHY_SECONDS = 60.0  # a connection that lived this long resets the backoff
JOIN_SECONDS = 15.0
LEASE_KEY = "listening:stream-worker"
LEASE_SECONDS = 90


class HostStream:
    """The subscription to one host's firehose and what it feeds: the host's active
    bluesky feeds (their organizations' matchers) and the cursor kept on them."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.handles = bluesky.Handles()
        self.feed_ids: list[int] = []
        self.targets: list[tuple[int, Matcher]] = []
        self.seq: int | None = None
        self.saved: int | None = None
        self.created = 0
        self.deleted = 0
        self._unsaved = 0
        self._saved_at = time.monotonic()
        self._loaded_at = 0.0

    # ----------------------------------------------------------------- state

    def load(self) -> bool:
        """Read the host's active feeds and their organizations' monitors again; False when
        the host has no active feed left."""
        feeds = list(Feed.objects.filter(kind=FeedKind.BLUESKY, active=True, url=self.host))
        self.feed_ids = [feed.pk for feed in feeds]
        organizations = sorted({feed.organization_id for feed in feeds})
        self.targets = [(org, services.matcher_for(org)) for org in organizations]
        self._loaded_at = time.monotonic()
        if self.seq is None:
            cursors = [int(f.cursor) for f in feeds if f.cursor.isdigit()]
            # The oldest cursor: no feed misses a frame; the others see a replay (no-op).
            self.seq = self.saved = min(cursors) if cursors else None
        return bool(feeds)

    def save(self) -> None:
        """Write the cursor on the host's feeds (when it moved)."""
        if self.seq is not None and self.seq != self.saved and self.feed_ids:
            Feed.objects.filter(pk__in=self.feed_ids).update(
                cursor=str(self.seq), last_polled_at=clock.now(), last_result="ok"
            )
            self.saved = self.seq
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def _note(self, message: str) -> None:
        """A short, address-free note on the feeds (shown on the source's page)."""
        if self.feed_ids:
            Feed.objects.filter(pk__in=self.feed_ids).update(last_result=message[:200])

    # ----------------------------------------------------------------- frames

    def handle(self, event: bluesky.Event) -> None:
        """Store the posts that match each organization, delete the deleted ones; the
        frame's seq becomes the cursor only once this is done."""
        if event.handle:
            self.handles.learn(*event.handle)
        for post in event.posts:
            entry = None
            for organization_id, matcher in self.targets:
                if matcher.automaton is None or not matcher.match(post.text, post.language):
                    continue
                entry = entry or bluesky.entry(post, self.handles)
                self.created += services.ingest(
                    organization_id=organization_id,
                    network=bluesky.BLUESKY,
                    entries=[entry],
                    matcher=matcher,
                )
        if event.deleted and self.targets:
            self.deleted += services.mentions_forget(
                organization_ids=[org for org, _matcher in self.targets],
                keys=[bluesky.post_key(uri) for uri in event.deleted],
            )
        if event.info:
            log.info("listening stream feeds=%s: info %s", self.feed_ids, event.info)
        if event.seq is not None:
            self.seq = event.seq
            self._unsaved += 1

    def _housekeeping(self) -> bool:
        """Save the cursor and read the feeds again when it is time; False when the host
        has no active feed left."""
        now = time.monotonic()
        if self._unsaved >= SAVE_EVERY or now - self._saved_at >= SAVE_SECONDS:
            self.save()
        if now - self._loaded_at >= REFRESH_SECONDS:
            return self.load()
        return True

    # ----------------------------------------------------------------- loop

    def run(
        self,
        stop: threading.Event,
        until: Callable[[HostStream], bool] | None = None,
    ) -> None:
        """Follow the host until `stop` is set (or `until(self)` says so, for tests), the
        host has no active feed left, reconnecting with a growing backoff (1 s to
        `MAX_BACKOFF_SECONDS`, with jitter) after any failure. Saves the cursor on the way
        out."""
        backoff = 1.0
        try:
            if not self.load():
                return
            while not stop.is_set():
                connected_at = None
                try:
                    with bluesky.connect(self.host, self.seq) as websocket:
                        connected_at = time.monotonic()
                        log.info("listening stream feeds=%s: connected", self.feed_ids)
                        while not stop.is_set():
                            try:
                                raw = websocket.recv(timeout=TICK_SECONDS)
                            except TimeoutError:
                                raw = None
                            if raw is not None:
                                self.handle(bluesky.decode(raw))
                            if not self._housekeeping() or (until and until(self)):
                                return
                except bluesky.StreamError as exc:
                    log.warning("listening stream feeds=%s: %s", self.feed_ids, exc.name)
                    self._note(exc.message)
                    if exc.name == "FutureCursor":  # the host's sequence restarted
                        Feed.objects.filter(pk__in=self.feed_ids).update(cursor="")
                        self.seq = self.saved = None
                except SourceError as exc:
                    log.warning("listening stream feeds=%s: %s", self.feed_ids, exc.message)
                    self._note(exc.message)
                except Exception as exc:
                    log.warning("listening stream feeds=%s: %s", self.feed_ids, type(exc).__name__)
                self.save()
                if until and until(self):
                    return
                if connected_at is not None and time.monotonic() - connected_at > HEALTHY_SECONDS:
                    backoff = 1.0
                stop.wait(backoff + random.uniform(0, backoff / 2))
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                if not self.load():
                    return
        finally:
            self.save()


class FeedStream:
    """One Mastodon stream (an active `mastodon_stream` feed): its account's token, its
    organization's matcher, its cursor (the newest status id seen)."""

    def __init__(self, feed_id: int) -> None:
        self.feed_id = feed_id
        self.organization_id: int | None = None
        self.matcher: Matcher | None = None
        self.signature: tuple[str, str, str, str] | None = None
        self.instance = self.kind = self.tag = ""
        self.host = ""
        self.cursor: str | None = None
        self.saved: str | None = None
        self.created = 0
        self.deleted = 0
        self.connections = 0
        self._saved_at = time.monotonic()
        self._loaded_at = 0.0

    def load(self) -> bool:
        """Read the feed and its organization's monitors again; False when the feed is gone,
        paused, or changed (address, stream, hashtag or token: the worker starts it anew)."""
        feed = Feed.objects.filter(
            pk=self.feed_id, kind=FeedKind.MASTODON_STREAM, active=True
        ).first()
        if feed is None:
            return False
        signature = (feed.url, feed.stream, feed.query, feed.token_sealed)
        if self.signature is not None and signature != self.signature:
            return False
        self.signature = signature
        self.organization_id = feed.organization_id
        self.instance, self.kind, self.tag = feed.url, feed.stream, feed.query
        self.host = mastodon.host_of(feed.url)
        self.matcher = services.matcher_for(feed.organization_id)
        if self.cursor is None:
            self.cursor = self.saved = feed.cursor
        self._loaded_at = time.monotonic()
        return True

    def token(self) -> str:
        feed = Feed.objects.filter(pk=self.feed_id).only("token_sealed").first()
        token = services.feed_token(feed) if feed else ""
        if not token:
            raise SourceError(_("Save the account's access token again."))
        return token

    def save(self) -> None:
        if self.cursor is not None and self.cursor != self.saved:
            Feed.objects.filter(pk=self.feed_id).update(
                cursor=self.cursor[:100], last_polled_at=clock.now(), last_result="ok"
            )
            self.saved = self.cursor
        self._saved_at = time.monotonic()

    def _note(self, message: str) -> None:
        Feed.objects.filter(pk=self.feed_id).update(last_result=message[:200])

    def _advance(self, status_id: str) -> None:
        if status_id.isdigit() and int(status_id) > int(self.cursor or 0):
            self.cursor = status_id

    def store(self, entries: list[Entry]) -> None:
        """Store the entries that match the feed's organization (and no other)."""
        if entries and self.matcher is not None and self.organization_id is not None:
            self.created += services.ingest(
                organization_id=self.organization_id,
                network=mastodon.MASTODON,
                entries=entries,
                matcher=self.matcher,
            )

    def handle(self, event: mastodon.Event) -> None:
        """Store the status if it matches, delete the deleted ones (in this organization);
        the status id becomes the cursor once this is done."""
        self.store(event.entries)
        if event.deleted and self.organization_id is not None:
            self.deleted += services.mentions_forget(
                organization_ids=[self.organization_id], keys=event.deleted
            )
        self._advance(event.status_id)

    def catch_up(self, token: str) -> None:
        """Read the REST timeline behind the stream from the cursor: the gap since the last
        connection (or, for a new feed, the newest page)."""
        entries, cursor = mastodon.catch_up(
            self.instance, self.kind, self.tag, token, self.cursor or ""
        )
        self.store(entries)
        self._advance(cursor)
        self.save()

    def _housekeeping(self) -> bool:
        now = time.monotonic()
        if now - self._saved_at >= SAVE_SECONDS:
            self.save()
        if now - self._loaded_at >= REFRESH_SECONDS:
            return self.load()
        return True

    def run(
        self,
        stop: threading.Event,
        until: Callable[[FeedStream], bool] | None = None,
    ) -> None:
        """Follow the stream until `stop` is set (or `until(self)` says so, for tests, asked
        after the catch-up and after every event or heartbeat), or the feed is paused,
        removed or changed; reconnect with a growing backoff (1 s to
        `MAX_BACKOFF_SECONDS`, with jitter) after any failure. Saves the cursor on the way
        out."""
        backoff = 1.0
        try:
            if not self.load():
                return
            while not stop.is_set():
                connected_at = None
                try:
                    token = self.token()
                    with mastodon.connect(self.instance, self.kind, self.tag, token) as stream:
                        connected_at = time.monotonic()
                        self.connections += 1
                        log.info("listening stream feed=%s: connected", self.feed_id)
                        done = threading.Event()
                        watcher = threading.Thread(
                            target=_interrupt_on, args=(stop, done, stream), daemon=True
                        )
                        watcher.start()
                        try:
                            self.catch_up(token)
                            if until and until(self):
                                return
                            for item in stream.events():
                                if item is not None:
                                    name, data = item
                                    self.handle(mastodon.decode(name, data, self.host))
                                if not self._housekeeping() or (until and until(self)):
                                    return
                                if stop.is_set():
                                    break
                        finally:
                            done.set()
                    if not stop.is_set():
                        raise SourceError(_("The stream was cut."))
                except SourceError as exc:
                    if not stop.is_set():  # a stop cuts the stream: not a failure
                        log.warning("listening stream feed=%s: %s", self.feed_id, exc.message)
                        self._note(exc.message)
                except Exception as exc:
                    log.warning("listening stream feed=%s: %s", self.feed_id, type(exc).__name__)
                self.save()
                if stop.is_set() or (until and until(self)):
                    return
                if connected_at is not None and time.monotonic() - connected_at > HEALTHY_SECONDS:
                    backoff = 1.0
                stop.wait(backoff + random.uniform(0, backoff / 2))
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                if not self.load():
                    return
        finally:
            self.save()


def _interrupt_on(
    stop: threading.Event, done: threading.Event, stream: mastodon.Connection
) -> None:
    """Shut the stream's socket when `stop` is set before the connection ends (a read
    waits up to a heartbeat: the stop is seen within `TICK_SECONDS`)."""
    while not done.is_set():
        if stop.wait(TICK_SECONDS):
            if not done.is_set():
                stream.interrupt()
            return


def _follow(host: str, stop: threading.Event) -> None:
    try:
        HostStream(host).run(stop)
    except Exception:
        log.exception("listening stream stopped on an error")
    finally:
        connection.close()


def _follow_feed(feed_id: int, stop: threading.Event) -> None:
    try:
        FeedStream(feed_id).run(stop)
    except Exception:
        log.exception("listening stream stopped on an error")
    finally:
        connection.close()


def mastodon_streams() -> set[int]:
    """The active Mastodon stream feeds (one connection each)."""
    return set(
        Feed.objects.filter(kind=FeedKind.MASTODON_STREAM, active=True).values_list("pk", flat=True)
    )


def wanted_streams() -> dict[str, Callable[[threading.Event], None]]:
    """What the worker follows: one Bluesky firehose per host, one Mastodon stream per feed."""
    wanted: dict[str, Callable[[threading.Event], None]] = {
        host: functools.partial(_follow, host) for host in stream_hosts()
    }
    for feed_id in mastodon_streams():
        wanted[f"mastodon:{feed_id}"] = functools.partial(_follow_feed, feed_id)
    return wanted


def stream_hosts() -> set[str]:
    """The hosts that have at least one active bluesky feed."""
    return set(
        Feed.objects.filter(kind=FeedKind.BLUESKY, active=True)
        .values_list("url", flat=True)
        .distinct()
    )


def hold_lease(token: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the installation's stream lease; False when another worker holds it."""
    if cache.add(LEASE_KEY, token, seconds):
        return True
    if cache.get(LEASE_KEY) == token:
        cache.touch(LEASE_KEY, seconds)
        return True
    return False


def release_lease(token: str) -> None:
    if cache.get(LEASE_KEY) == token:
        cache.delete(LEASE_KEY)


def run_streams(stop: threading.Event, refresh: float = REFRESH_SECONDS) -> None:
    """One thread per host with an active bluesky feed and per active Mastodon stream, while
    this worker holds the lease and until `stop` is set; hosts and feeds added or removed
    are seen every `refresh` seconds. Every
    thread saves its cursor and is joined before this returns."""
    running: dict[
        str, tuple[threading.Thread, threading.Event, Callable[[threading.Event], None]]
    ] = {}
    token = secrets.token_hex(8)
    lease = max(LEASE_SECONDS, int(3 * refresh))
    waiting = False
    try:
        while not stop.is_set():
            try:
                holding = hold_lease(token, lease)
            except Exception as exc:  # the cache may be back next time: keep what runs
                log.warning("listening streams: cannot read the lease (%s)", type(exc).__name__)
                holding = bool(running)
            if not holding and not waiting:
                log.info("listening streams: another stream worker holds the lease; waiting")
            waiting = not holding
            try:
                wanted = wanted_streams() if holding else {}
            except Exception as exc:
                log.warning("listening streams: cannot read the feeds (%s)", type(exc).__name__)
                connection.close()
                wanted = {key: follow for key, (_t, _s, follow) in running.items()}
            for key, (thread, own_stop, _follow_it) in list(running.items()):
                if key not in wanted or not thread.is_alive():
                    own_stop.set()
                    thread.join(JOIN_SECONDS)
                    del running[key]
            started = sorted(set(wanted) - set(running))
            for key in started:
                own_stop = threading.Event()
                thread = threading.Thread(
                    target=wanted[key], args=(own_stop,), name="listening-stream", daemon=True
                )
                thread.start()
                running[key] = (thread, own_stop, wanted[key])
            if started:
                log.info("listening streams: %d running", len(running))
            stop.wait(refresh)
    finally:
        for _thread, own_stop, _follow_it in running.values():
            own_stop.set()
        for thread, _own_stop, _follow_it in running.values():
            thread.join(JOIN_SECONDS)
        try:
            release_lease(token)
        except Exception as exc:  # it expires by itself
            log.warning("listening streams: cannot release the lease (%s)", type(exc).__name__)
        connection.close()
