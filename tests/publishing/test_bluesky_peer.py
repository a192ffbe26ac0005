"""The Bluesky peer is a real network: plain XRPC calls, no Portevoix code.

Two accounts on the peer's PDS; one posts, the other likes and reposts the post; once the
AppView has indexed the firehose, app.bsky.feed.getPosts counts one like and one repost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.peers.bluesky_peer import BlueskyPeer, bluesky_peer_fixture

pytestmark = pytest.mark.peers

peer = bluesky_peer_fixture()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _session(http: httpx.Client, peer: BlueskyPeer, identifier: str, password: str) -> Any:
    response = http.post(
        f"{peer.pds_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": identifier, "password": password},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _create_record(
    http: httpx.Client, peer: BlueskyPeer, session: Any, collection: str, record: dict
) -> Any:
    response = http.post(
        f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
        json={"repo": session["did"], "collection": collection, "record": record},
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_peer_runs_on_loopback(peer: BlueskyPeer, http: httpx.Client) -> None:
    for url in (peer.pds_url, peer.appview_url, peer.plc_url, peer.control_url):
        host = httpx.URL(url).host
        assert host in ("127.0.0.1", "localhost"), url
    assert http.get(f"{peer.pds_url}/xrpc/_health").status_code == 200
    assert peer.startup_seconds > 0
    print(f"Bluesky peer started in {peer.startup_seconds:.1f} s (reused: {peer.reused})")


def test_like_and_repost_are_counted_by_the_appview(peer: BlueskyPeer, http: httpx.Client) -> None:
    author = peer.create_account("autrice")
    reader = peer.create_account("lecteur")
    author_session = _session(http, peer, author.handle, author.password)
    # The reader logs in by DID, with an app password, as a third-party app would.
    reader_session = _session(http, peer, reader.did, peer.create_app_password(reader))
    assert author_session["did"] == author.did
    assert reader_session["did"] == reader.did

    post = _create_record(
        http,
        peer,
        author_session,
        "app.bsky.feed.post",
        {"$type": "app.bsky.feed.post", "text": "Bonjour de Portevoix 👋", "createdAt": _now()},
    )
    assert post["uri"].startswith(f"at://{author.did}/app.bsky.feed.post/")
    subject = {"uri": post["uri"], "cid": post["cid"]}
    _create_record(
        http,
        peer,
        reader_session,
        "app.bsky.feed.like",
        {"$type": "app.bsky.feed.like", "subject": subject, "createdAt": _now()},
    )
    _create_record(
        http,
        peer,
        reader_session,
        "app.bsky.feed.repost",
        {"$type": "app.bsky.feed.repost", "subject": subject, "createdAt": _now()},
    )

    peer.process_all()

    response = http.get(
        f"{peer.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": [post["uri"]]}
    )
    assert response.status_code == 200, response.text
    [view] = response.json()["posts"]
    assert view["uri"] == post["uri"]
    assert view["author"]["did"] == author.did
    assert view["record"]["text"] == "Bonjour de Portevoix 👋"
    assert view["likeCount"] == 1
    assert view["repostCount"] == 1
    assert view["replyCount"] == 0
