"""The Bluesky source without a network: decoding frames recorded from the peer's firehose
(bluesky_frames.json: an account's #identity, #account, #sync, a post created, a like, the
post deleted) and constructed error frames; the stream's handling of decoded events (each
organization's matches stored once, deletions, the cursor saved on every feed of the host);
the host's address (wss:// read as https://, private hosts refused unless allowed); the
feeds page that adds a Bluesky source."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import libipld
import pytest
from django.test import Client
from django.urls import reverse

from portevoix.listening import bluesky, services, sources, stream
from portevoix.listening.models import Feed, FeedKind, Mention
from portevoix.listening.stream import HostStream, stream_hosts
from portevoix.networks import base
from tests import factories

pytestmark = pytest.mark.django_db

RECORDED = json.loads((Path(__file__).parent / "bluesky_frames.json").read_text())
DID, HANDLE, POST_URI = RECORDED["did"], RECORDED["handle"], RECORDED["post"]
FRAMES = [base64.b64decode(f["frame"]) for f in RECORDED["frames"]]
HOST = "https://93.184.216.34"  # a public address: no DNS lookup in the tests


def frame(header: dict[str, Any], body: dict[str, Any]) -> bytes:
    return libipld.encode_dag_cbor(header) + libipld.encode_dag_cbor(body)


# --------------------------------------------------------------------------- decoding


def test_recorded_frames_are_decoded() -> None:
    events = [bluesky.decode(raw) for raw in FRAMES]
    seqs = [e.seq or 0 for e in events]
    assert all(seqs) and seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    identity, _account, _profile, _sync, created, liked, deleted = events
    assert identity.handle == (DID, HANDLE) and not identity.posts
    (post,) = created.posts
    assert post.uri == POST_URI and post.did == DID
    assert post.text == "Le projet Orion avance"  # spaces and line breaks collapsed
    assert post.language == "fr"  # "fr-FR"
    assert post.created_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    assert not created.deleted
    assert not liked.posts and not liked.deleted and liked.seq is not None  # a like: seq only
    assert deleted.deleted == [POST_URI] and not deleted.posts
    assert all(not e.posts and not e.deleted for e in (_account, _profile, _sync))


def test_an_entry_names_the_author_by_handle_when_known() -> None:
    post = bluesky.decode(FRAMES[4]).posts[0]
    handles = bluesky.Handles(size=2)
    entry = bluesky.entry(post, handles)
    assert entry.author == DID  # not known yet
    assert entry.key == sources.entry_key("bluesky", POST_URI) == bluesky.post_key(POST_URI)
    assert entry.url == f"https://bsky.app/profile/{DID}/post/{POST_URI.split('/')[-1]}"
    assert (entry.text, entry.language) == ("Le projet Orion avance", "fr")
    handles.learn(DID, HANDLE)
    assert bluesky.entry(post, handles).author == HANDLE
    handles.learn("did:plc:b", "b.test")
    handles.learn("did:plc:c", "c.test")  # at most two kept: the oldest goes
    assert handles.name(DID) == DID and handles.name("did:plc:c") == "c.test"


def test_error_frames_raise_and_unreadable_frames_are_skipped() -> None:
    refused = frame({"op": -1}, {"error": "FutureCursor", "message": "Cursor in the future."})
    with pytest.raises(bluesky.StreamError) as error:
        bluesky.decode(refused)
    assert error.value.name == "FutureCursor"
    assert bluesky.decode(b"\xff\x00garbage") == bluesky.Event()
    assert bluesky.decode("a text frame") == bluesky.Event()
    unknown = frame({"op": 1, "t": "#labels"}, {"seq": 41})
    assert bluesky.decode(unknown) == bluesky.Event(seq=41)
    info = frame({"op": 1, "t": "#info"}, {"name": "OutdatedCursor"})
    assert bluesky.decode(info).info == "OutdatedCursor"
    # A commit whose body is not a valid message keeps its seq, and has no post.
    broken = frame(
        {"op": 1, "t": "#commit"}, {"seq": 42, "ops": [{"path": "app.bsky.feed.post/x"}]}
    )
    assert bluesky.decode(broken) == bluesky.Event(seq=42)


# --------------------------------------------------------------------------- addresses


def test_the_host_is_kept_as_https_and_private_hosts_are_refused(settings: Any) -> None:
    normalize = sources.normalize_host
    assert normalize("wss://93.184.216.34/xrpc/com.atproto.sync.subscribeRepos") == HOST
    assert normalize("https://93.184.216.34/") == HOST
    assert normalize("93.184.216.34") == HOST
    assert normalize("ws://127.0.0.1:2583") == "http://127.0.0.1:2583"  # allowed in tests
    assert bluesky.websocket_url(HOST, 12) == (
        "wss://93.184.216.34/xrpc/com.atproto.sync.subscribeRepos?cursor=12"
    )
    assert bluesky.websocket_url("http://127.0.0.1:2583").startswith("ws://127.0.0.1:2583/")
    with pytest.raises(base.UnsafeAddress):
        normalize("wss://10.1.2.3")
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(base.UnsafeAddress):
        normalize("ws://127.0.0.1:2583")
    with pytest.raises(base.UnsafeAddress):
        normalize("wss://127.0.0.1:2583")
    with pytest.raises(sources.SourceError):
        bluesky.connect("https://127.0.0.1:2583", None)  # refused before any connection


# --------------------------------------------------------------------------- the stream


@pytest.fixture
def two_orgs(org: Any, other_org: Any) -> tuple[Any, Any]:
    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    rival = factories.make_member(other_org, "community_manager", email="cm@rival.test")
    services.monitor_create(actor=cm, data=services.MonitorData(name="Orion", terms=["orion"]))
    services.monitor_create(actor=rival, data=services.MonitorData(name="Vega", terms=["vega"]))
    for actor in (cm, rival):
        services.feed_create(actor=actor, data=services.FeedData(kind=FeedKind.BLUESKY, url=HOST))
    return cm, rival


def post(rkey: str, text: str, language: str = "fr") -> bluesky.Post:
    return bluesky.Post(
        uri=f"at://did:plc:a/app.bsky.feed.post/{rkey}",
        did="did:plc:a",
        rkey=rkey,
        text=text,
        created_at=dt.datetime.now(dt.UTC),
        language=language,
    )


def test_the_stream_stores_each_match_once_per_organization(two_orgs: Any, org: Any) -> None:
    _cm, rival = two_orgs
    stream = HostStream(HOST)
    assert stream.load() and stream.seq is None  # new feeds: from now on
    orion, vega, both = post("1", "Orion !"), post("2", "Vega"), post("3", "Orion et Vega")
    stream.handle(bluesky.Event(seq=10, posts=[orion, vega, both, post("4", "rien")]))
    stream.handle(bluesky.Event(seq=11, posts=[orion, both]))  # a replay: nothing twice
    assert stream.created == 4 and stream.seq == 11
    ours = set(Mention.objects.filter(organization=org).values_list("key", flat=True))
    assert ours == {bluesky.post_key(orion.uri), bluesky.post_key(both.uri)}
    theirs = Mention.objects.filter(organization=rival.organization)
    assert set(theirs.values_list("key", flat=True)) == {
        bluesky.post_key(vega.uri),
        bluesky.post_key(both.uri),
    }
    assert set(Mention.objects.values_list("network", flat=True)) == {"bluesky"}
    stream.handle(bluesky.Event(seq=12, deleted=[both.uri, "at://did:plc:z/app.bsky.feed.post/9"]))
    assert stream.deleted == 2  # in both organizations
    assert not Mention.objects.filter(key=bluesky.post_key(both.uri)).exists()
    stream.handle(bluesky.Event(seq=13, deleted=[both.uri]))  # again: nothing, no error
    assert stream.deleted == 2
    stream.save()
    assert set(Feed.objects.values_list("cursor", flat=True)) == {"13"}
    again = HostStream(HOST)
    again.load()
    assert again.seq == 13  # a restart resumes there


def test_the_oldest_cursor_of_the_host_is_the_start(two_orgs: Any, org: Any) -> None:
    ours, theirs = Feed.objects.order_by("pk")
    Feed.objects.filter(pk=ours.pk).update(cursor="500")
    Feed.objects.filter(pk=theirs.pk).update(cursor="120")
    stream = HostStream(HOST)
    stream.load()
    assert stream.seq == 120  # no feed misses a frame; the other sees a replay (a no-op)
    Feed.objects.filter(pk=ours.pk).update(active=False)
    assert stream_hosts() == {HOST}
    Feed.objects.update(active=False)
    assert stream_hosts() == set() and HostStream(HOST).load() is False
    assert services.poll_due_feeds() == 0  # a stream is never polled


def test_a_refused_host_is_noted_on_the_feed_and_the_stream_stops(
    two_orgs: Any, settings: Any
) -> None:
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    Feed.objects.update(url="https://127.0.0.1:9")
    stream = HostStream("https://127.0.0.1:9")
    stream.run(threading.Event(), until=lambda _stream: True)  # after the first attempt
    assert set(Feed.objects.values_list("last_result", flat=True)) == {
        "This address is not allowed."
    }
    stop = threading.Event()
    stop.set()
    HostStream("https://127.0.0.1:9").run(stop)  # stopped before it starts: returns at once


class OneRound(threading.Event):
    """A stop event that is set by the first wait: one round of the supervisor."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_one_stream_worker_holds_the_lease(two_orgs: Any) -> None:
    assert stream.hold_lease("a") and stream.hold_lease("a")  # taken, then renewed
    assert not stream.hold_lease("b")  # a second worker waits
    threads = threading.active_count()
    stream.run_streams(OneRound(), refresh=0.01)  # not the holder: starts nothing
    assert threading.active_count() == threads
    assert not stream.hold_lease("b")  # the holder's lease is left alone
    stream.release_lease("b")  # not its own: nothing
    assert not stream.hold_lease("c")
    stream.release_lease("a")
    assert stream.hold_lease("b")  # the next one takes over
    stream.release_lease("b")
    stopped = threading.Event()
    stopped.set()
    stream.run_streams(stopped)  # stopped before it starts: returns at once
    assert stream.hold_lease("c")


# --------------------------------------------------------------------------- the page


def test_the_feeds_page_adds_a_bluesky_host(
    org: Any, member: Any, outsider: Any, settings: Any
) -> None:
    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    client = Client()
    client.force_login(cm.user)
    page = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réseau Bluesky (flux continu)" in page and "Bluesky network" not in page
    url = reverse("listening:feeds")
    bad = client.post(url, {"kind": "bluesky", "url": "not a url", "interval_minutes": 30})
    assert bad.status_code == 200 and not Feed.objects.exists()
    private = client.post(url, {"kind": "bluesky", "url": "wss://10.0.0.7", "interval_minutes": 30})
    assert private.status_code == 200 and "not allowed" in private.content.decode()
    answer = client.post(
        url,
        {
            "kind": "bluesky",
            "url": "wss://93.184.216.34/xrpc/com.atproto.sync.subscribeRepos",
            "query": "ignored",
            "interval_minutes": 30,
            "active": "on",
        },
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    assert (feed.kind, feed.url, feed.query, feed.active) == ("bluesky", HOST, "", True)
    listing = client.get(url).content.decode()
    assert "Bluesky · 93.184.216.34" in listing
    edit = reverse("listening:feed", args=[feed.pk])
    Feed.objects.filter(pk=feed.pk).update(cursor="4242")
    detail = client.get(edit, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Suivi en continu" in detail and "4242" in detail
    assert client.put(edit).status_code == 405
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    refused = client.post(edit, {"url": "ws://127.0.0.1:2583", "interval_minutes": 30})
    assert refused.status_code == 200
    feed.refresh_from_db()
    assert feed.url == HOST
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    assert client.post(edit, {"url": HOST, "interval_minutes": 30}).status_code == 403
    client.force_login(outsider.user)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"url": HOST, "interval_minutes": 30}).status_code == 404
