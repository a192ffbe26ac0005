"""The Bluesky stream against the real peer (tests/peers/bluesky_peer.py: PLC, PDS and
AppView from @atproto/dev-env on 127.0.0.1; the PDS serves `subscribeRepos`).

The stream code runs in this thread (`HostStream.run`) until a stop condition: a "sentinel"
post, made last, is stored (the firehose of a PDS is in order, so everything before it was
handled). Posts made by accounts on the peer are matched and stored for the organization whose
monitor they match, and only for it; a post matching nothing is not stored; the cursor is
saved on every feed of the host; posts made while the worker is stopped are found after the
restart (it resumed from the cursor, not from "now"); a deleted post's mention is removed; a
replay from an older cursor (a crash before the save) adds nothing."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from portevoix.listening import bluesky, services
from portevoix.listening.models import Feed, FeedKind, Mention
from portevoix.listening.stream import HostStream
from tests import factories
from tests.peers.bluesky_peer import BlueskyPeer, PeerAccount, bluesky_peer_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.peers]

peer = bluesky_peer_fixture()
DEADLINE_SECONDS = 60.0


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


class Poster:
    """An account of the peer that posts and deletes with plain XRPC calls."""

    def __init__(self, http: httpx.Client, peer: BlueskyPeer, account: PeerAccount) -> None:
        self.http, self.peer, self.account = http, peer, account
        session = http.post(
            f"{peer.pds_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": account.handle, "password": account.password},
        )
        assert session.status_code == 200, session.text
        self.headers = {"Authorization": f"Bearer {session.json()['accessJwt']}"}

    def post(self, text: str, langs: tuple[str, ...] = ("fr",)) -> str:
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "langs": list(langs),
            "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        answer = self.http.post(
            f"{self.peer.pds_url}/xrpc/com.atproto.repo.createRecord",
            json={"repo": self.account.did, "collection": bluesky.POST, "record": record},
            headers=self.headers,
        )
        assert answer.status_code == 200, answer.text
        uri: str = answer.json()["uri"]
        return uri

    def delete(self, uri: str) -> None:
        answer = self.http.post(
            f"{self.peer.pds_url}/xrpc/com.atproto.repo.deleteRecord",
            json={"repo": self.account.did, "collection": bluesky.POST, "rkey": uri.split("/")[-1]},
            headers=self.headers,
        )
        assert answer.status_code == 200, answer.text


def follow(
    host: str, done: Callable[[HostStream], bool], first: Callable[[], None] | None = None
) -> HostStream:
    """Run a fresh stream (a worker started anew) in this thread until `done()`; `first`
    runs once the stream is connected (to post while it listens)."""
    stream = HostStream(host)
    deadline = time.monotonic() + DEADLINE_SECONDS
    pending = [first] if first else []

    def until(_stream: HostStream) -> bool:
        while pending:
            pending.pop()()
        return done(stream) or time.monotonic() > deadline

    stream.run(threading.Event(), until=until)
    assert done(stream), "the stream did not see the sentinel in time"
    return stream


def stored(org: Any, uri: str) -> bool:
    return Mention.objects.filter(organization=org, key=bluesky.post_key(uri)).exists()


def keys_of(org: Any) -> set[str]:
    return set(Mention.objects.filter(organization=org).values_list("key", flat=True))


@pytest.fixture
def word() -> str:
    """A keyword no other test of the shared peer posts."""
    return f"orion{secrets.token_hex(3)}"


def test_posts_are_stored_once_resumed_from_the_cursor_and_deleted(
    peer: BlueskyPeer, http: httpx.Client, org: Any, other_org: Any, word: str
) -> None:
    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    rival = factories.make_member(other_org, "community_manager", email="cm@rival.test")
    services.monitor_create(actor=cm, data=services.MonitorData(name="Orion", terms=[word]))
    services.monitor_create(
        actor=rival, data=services.MonitorData(name="Vega", terms=[f"vega{word}"])
    )
    ours = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.BLUESKY, url=peer.pds_url)
    )
    theirs = services.feed_create(
        actor=rival, data=services.FeedData(kind=FeedKind.BLUESKY, url=peer.pds_url)
    )
    assert ours.url == theirs.url == peer.pds_url.rstrip("/")
    assert ours.cursor == ""  # a new feed starts from now on
    alice = Poster(http, peer, peer.create_account("alice"))
    bob = Poster(http, peer, peer.create_account("bob"))
    uris: dict[str, str] = {}

    def post_while_listening() -> None:
        uris["match"] = alice.post(f"Le projet {word.upper()} avance, bravo !")
        uris["nothing"] = alice.post("Rien à voir ici, vraiment rien.")
        uris["rival"] = bob.post(f"Vega{word} is great", langs=("en",))
        uris["sentinel1"] = bob.post(f"{word} sentinel one")

    first = follow(
        ours.url, lambda _s: stored(org, uris.get("sentinel1", "-")), post_while_listening
    )
    assert first.created == 3  # two for us, one for the rival
    assert keys_of(org) == {bluesky.post_key(uris["match"]), bluesky.post_key(uris["sentinel1"])}
    assert keys_of(other_org) == {bluesky.post_key(uris["rival"])}  # and nothing of ours
    mention = Mention.objects.get(organization=org, key=bluesky.post_key(uris["match"]))
    rkey = uris["match"].split("/")[-1]
    assert mention.network == "bluesky"
    assert mention.url == f"https://bsky.app/profile/{alice.account.did}/post/{rkey}"
    assert mention.text == f"Le projet {word.upper()} avance, bravo !"
    assert mention.author in (alice.account.did, alice.account.handle)
    assert mention.language == "fr"
    assert abs((mention.published_at - dt.datetime.now(dt.UTC)).total_seconds()) < 120
    assert list(mention.monitors.values_list("name", flat=True)) == ["Orion"]
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.cursor.isdigit() and ours.cursor == theirs.cursor == str(first.seq)
    assert ours.last_result == "ok" and ours.last_polled_at is not None
    first_cursor = int(ours.cursor)

    # Stopped: posts made now, and a deletion, are found when the worker starts again.
    uris["while_stopped"] = alice.post(f"Pendant l'arrêt : {word}")
    alice.delete(uris["match"])
    uris["sentinel2"] = bob.post(f"{word} sentinel two")
    second = follow(ours.url, lambda _s: stored(org, uris["sentinel2"]))
    assert second.created == 2 and second.deleted == 1
    assert keys_of(org) == {
        bluesky.post_key(uris["sentinel1"]),
        bluesky.post_key(uris["while_stopped"]),
        bluesky.post_key(uris["sentinel2"]),
    }
    assert keys_of(other_org) == {bluesky.post_key(uris["rival"])}
    ours.refresh_from_db()
    assert int(ours.cursor) > first_cursor
    second_cursor = int(ours.cursor)

    # A crash before the last save: the frames since the older cursor come again; nothing
    # is stored twice and the deleted post stays deleted.
    Feed.objects.filter(pk__in=[ours.pk, theirs.pk]).update(cursor=str(first_cursor))
    replay = follow(ours.url, lambda s: (s.seq or 0) >= second_cursor)
    assert replay.created == 0
    assert Mention.objects.filter(organization=org).count() == 3
    assert not stored(org, uris["match"])


def test_a_paused_feed_is_not_followed_and_an_active_one_is(
    peer: BlueskyPeer, http: httpx.Client, org: Any, word: str
) -> None:
    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    services.monitor_create(actor=cm, data=services.MonitorData(name="Orion", terms=[word]))
    feed = services.feed_create(
        actor=cm,
        data=services.FeedData(kind=FeedKind.BLUESKY, url=peer.pds_url, active=False),
    )
    assert HostStream(feed.url).load() is False  # nothing to follow: the stream stops
    assert services.poll_due_feeds() == 0  # a stream is never polled
    Feed.objects.filter(pk=feed.pk).update(active=True)
    carol = Poster(http, peer, peer.create_account("carol"))
    uris: dict[str, str] = {}

    def post() -> None:
        uris["sentinel"] = carol.post(f"{word} sentinel")

    # No cursor yet: the subscription starts from now (what the PDS emits from then on; a
    # post made just before may still be emitted after, so none is asserted absent here).
    stream = follow(feed.url, lambda _s: stored(org, uris.get("sentinel", "-")), post)
    assert stream.created == 1
    feed.refresh_from_db()
    assert feed.cursor.isdigit() and int(feed.cursor) == stream.seq
