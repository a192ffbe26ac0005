"""A Bluesky account benchmarked against the real Bluesky peer (tests/peers/bluesky_peer.py:
PLC, PDS and AppView on 127.0.0.1): the brand posts three times and reposts someone else's
post; a reader follows it, likes, reposts and replies; once the AppView has indexed
everything, the daily snapshot reads getProfile and getAuthorFeed through our guarded
client and gets the hand-computed figures:

    followers 1 (the reader)
    post A: 1 like + 1 repost + 1 reply = 3
    post B: 1 like = 1
    post C: 0
    the repost of the reader's post: left out (not the brand's post)
    3 posts in 7 days, (3 + 1 + 0) / 3 = 1.33 engagement per post; best A, B, C.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from portevoix.listening import services_benchmarks
from portevoix.listening.models import BenchmarkSnapshot
from tests import factories
from tests.peers.bluesky_peer import BlueskyPeer, bluesky_peer_fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.peers, pytest.mark.slow]

peer = bluesky_peer_fixture()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


class Actor:
    def __init__(self, http: httpx.Client, peer: BlueskyPeer, handle: str, password: str):
        self.http, self.peer = http, peer
        answer = http.post(
            f"{peer.pds_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": handle, "password": password},
        )
        assert answer.status_code == 200, answer.text
        self.session = answer.json()

    def create(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(
            f"{self.peer.pds_url}/xrpc/com.atproto.repo.createRecord",
            json={
                "repo": self.session["did"],
                "collection": collection,
                "record": {"$type": collection, "createdAt": _now(), **record},
            },
            headers={"Authorization": f"Bearer {self.session['accessJwt']}"},
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def post(self, text: str) -> dict[str, str]:
        created = self.create("app.bsky.feed.post", {"text": text})
        return {"uri": created["uri"], "cid": created["cid"]}


def test_a_bluesky_account_is_snapshotted_from_the_appview(peer: BlueskyPeer, org, settings):
    settings.LISTENING_BSKY_APPVIEW = peer.appview_url
    brand_account = peer.create_account("marque")
    reader_account = peer.create_account("lectrice")
    with httpx.Client(timeout=30) as http:
        brand = Actor(http, peer, brand_account.handle, brand_account.password)
        reader = Actor(http, peer, reader_account.handle, reader_account.password)
        a = brand.post("Acme lance sa nouvelle gamme " + "très " * 45 + "longue")
        b = brand.post("Acme recrute à Lyon")
        brand.post("Acme : bonne semaine")
        theirs = reader.post("Un message de la lectrice")
        brand.create("app.bsky.feed.repost", {"subject": theirs})
        reader.create("app.bsky.graph.follow", {"subject": brand_account.did})
        reader.create("app.bsky.feed.like", {"subject": a})
        reader.create("app.bsky.feed.repost", {"subject": a})
        reader.create("app.bsky.feed.like", {"subject": b})
        reader.create("app.bsky.feed.post", {"text": "Bravo !", "reply": {"root": a, "parent": a}})
    peer.process_all()

    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    account = services_benchmarks.benchmark_create(
        actor=cm,
        data=services_benchmarks.BenchmarkData(
            kind="bluesky", handle=brand_account.handle, label="Acme", own=True
        ),
    )
    assert services_benchmarks.snapshots_due() == 1
    snapshot = BenchmarkSnapshot.objects.get(account=account)
    assert snapshot.followers == 1
    assert snapshot.posts_total == 3
    assert snapshot.posts_7d == 3
    assert snapshot.engagement_per_post == 1.33
    best = snapshot.best_posts
    assert [p["engagement"] for p in best] == [3, 1, 0]
    rkey = a["uri"].rsplit("/", 1)[-1]
    assert best[0]["url"] == f"https://bsky.app/profile/{brand_account.handle}/post/{rkey}"
    assert (
        best[0]["text"].startswith("Acme lance sa nouvelle gamme") and len(best[0]["text"]) == 200
    )
    assert best[1]["text"] == "Acme recrute à Lyon"
    # once a day: a second run asks the AppView nothing more
    assert services_benchmarks.snapshots_due() == 0
    assert BenchmarkSnapshot.objects.count() == 1
