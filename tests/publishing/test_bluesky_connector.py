"""The Bluesky connector against a real Bluesky network (tests/peers/bluesky_peer.py: PLC, PDS
and AppView from @atproto/dev-env on 127.0.0.1). The pure parts and the answers the real
network does not give on demand are in test_bluesky_offline.py.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from portevoix.networks import base
from portevoix.networks.base import AuthError, ConnectionCtx, PermanentError, PostRequest, TokenSet
from portevoix.networks.bluesky import GET_POSTS_MAX, BlueskyConnector, is_tid, make_tid
from tests.peers.bluesky_peer import BlueskyPeer, PeerAccount, bluesky_peer_fixture
from tests.peers.server import FakeApp, Resp, serve

pytestmark = pytest.mark.peers

peer = bluesky_peer_fixture()


# --------------------------------------------------------------------------- helpers


class CountingTransport(httpx.BaseTransport):
    """A real transport that records the XRPC method of every request (and outlives the
    clients the connector opens and closes)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.calls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url.path.removeprefix("/xrpc/"))
        return self.inner.handle_request(request)

    def count(self, nsid: str) -> int:
        return self.calls.count(nsid)

    def close(self) -> None:  # the clients close; the transport lives on
        pass


@dataclass
class Author:
    account: PeerAccount
    app_password: str
    tokens: TokenSet
    refreshed: list[TokenSet]

    def ctx(self) -> ConnectionCtx:
        return ConnectionCtx(
            network="bluesky",
            account_id=self.account.did,
            handle=self.account.handle,
            tokens=self.tokens,
            instance=str(self.tokens.extra["pds"]),
            on_tokens_refreshed=self.refreshed.append,
        )


@pytest.fixture
def transport() -> Iterator[CountingTransport]:
    counting = CountingTransport()
    yield counting
    counting.inner.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def author(peer: BlueskyPeer) -> Author:
    account = peer.create_account("ambassadrice")
    app_password = peer.create_app_password(account)
    tokens, _account = BlueskyConnector().login(peer.pds_url, account.handle, app_password)
    return Author(account, app_password, tokens, [])


def make_post(text: str = "", link: str = "", **kwargs: Any) -> tuple[PostRequest, list[dict]]:
    link = link or f"https://go.portevoix.test/l/{secrets.token_hex(4)}"
    saved: list[dict[str, Any]] = []
    post = PostRequest(
        key=uuid.uuid4().hex,
        text=text or f"Notre rapport est en ligne : {link}",
        link_url=link,
        save_state=saved.append,
        **kwargs,
    )
    return post, saved


def session(http: httpx.Client, peer: BlueskyPeer, account: PeerAccount) -> dict[str, Any]:
    response = http.post(
        f"{peer.pds_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": account.handle, "password": account.password},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def create_record(
    http: httpx.Client, peer: BlueskyPeer, who: dict[str, Any], collection: str, record: dict
) -> dict[str, Any]:
    response = http.post(
        f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
        json={"repo": who["did"], "collection": collection, "record": record},
        headers={"Authorization": f"Bearer {who['accessJwt']}"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def get_record(http: httpx.Client, peer: BlueskyPeer, uri: str) -> dict[str, Any]:
    did, collection, rkey = uri.removeprefix("at://").split("/")
    response = http.get(
        f"{peer.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def list_posts(http: httpx.Client, peer: BlueskyPeer, did: str) -> list[dict[str, Any]]:
    response = http.get(
        f"{peer.pds_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
    )
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- the real network


def test_login_with_an_app_password(peer: BlueskyPeer, transport: CountingTransport) -> None:
    account = peer.create_account("connexion")
    app_password = peer.create_app_password(account)
    tokens, who = BlueskyConnector(transport=transport).login(
        peer.pds_url, account.handle, app_password
    )
    assert transport.count("com.atproto.server.createSession") == 1
    assert who.account_id == account.did
    assert who.handle == account.handle
    assert who.url == f"https://bsky.app/profile/{account.handle}"
    assert who.followers == 0
    assert tokens.extra["did"] == account.did
    assert tokens.extra["pds"] == peer.pds_url
    assert tokens.refresh_token
    now = dt.datetime.now(dt.UTC)
    # Access JWT: about two hours; refresh JWT: weeks.
    assert tokens.expires_at is not None
    assert now + dt.timedelta(minutes=30) < tokens.expires_at < now + dt.timedelta(hours=3)
    assert tokens.refresh_expires_at is not None
    assert tokens.refresh_expires_at > now + dt.timedelta(days=7)


def test_login_refused(peer: BlueskyPeer) -> None:
    account = peer.create_account("refus")
    with pytest.raises(AuthError) as caught:
        BlueskyConnector().login(peer.pds_url, account.handle, "abcd-efgh-ijkl-mnop")
    assert "app password" in caught.value.user_message


def test_the_session_is_reused(
    peer: BlueskyPeer, author: Author, transport: CountingTransport
) -> None:
    connector = BlueskyConnector(transport=transport)
    ctx = author.ctx()
    for _ in range(2):
        post, _saved = make_post()
        connector.publish(ctx, post)
    connector.fetch_followers(ctx)
    assert transport.count("com.atproto.repo.createRecord") == 2
    assert transport.count("com.atproto.server.createSession") == 0
    assert transport.count("com.atproto.server.refreshSession") == 0
    assert author.refreshed == []


def test_an_expiring_session_is_refreshed_and_persisted(
    peer: BlueskyPeer, author: Author, transport: CountingTransport
) -> None:
    connector = BlueskyConnector(transport=transport)
    refreshed: list[TokenSet] = []
    ctx = author.ctx()
    ctx.on_tokens_refreshed = refreshed.append
    ctx.tokens = TokenSet(
        access_token=author.tokens.access_token,
        refresh_token=author.tokens.refresh_token,
        # Expires within the margin: refreshed before the call.
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2),
        extra=dict(author.tokens.extra),
    )
    assert connector.needs_refresh(ctx.tokens, dt.datetime.now(dt.UTC))
    assert connector.fetch_followers(ctx) == 0
    assert transport.count("com.atproto.server.refreshSession") == 1
    assert transport.count("com.atproto.server.createSession") == 0
    [tokens] = refreshed
    assert ctx.tokens is tokens
    # A new session: the refresh JWT always changes (the access JWT too, unless it was made
    # within the same second with the same claims).
    assert tokens.refresh_token != author.tokens.refresh_token
    assert tokens.extra["did"] == author.account.did
    assert not connector.needs_refresh(tokens, dt.datetime.now(dt.UTC))

    # A token the PDS no longer accepts (400 InvalidToken): refreshed, then the call retried.
    ctx.tokens.access_token = "eyJ0eXAiOiJhdCtqd3QifQ.e30.bad"
    assert connector.fetch_followers(ctx) == 0
    assert len(refreshed) == 2
    assert transport.count("com.atproto.server.refreshSession") == 2

    # And refresh() itself, as the engine calls it.
    again = connector.refresh(ctx)
    assert again.access_token and again.extra["did"] == author.account.did


def test_a_revoked_app_password_needs_a_reconnect(peer: BlueskyPeer, http: httpx.Client) -> None:
    account = peer.create_account("revoque")
    name = f"portevoix-{secrets.token_hex(3)}"
    app_password = peer.create_app_password(account, name)
    connector = BlueskyConnector()
    tokens, _who = connector.login(peer.pds_url, account.handle, app_password)
    main = session(http, peer, account)
    revoked = http.post(
        f"{peer.pds_url}/xrpc/com.atproto.server.revokeAppPassword",
        json={"name": name},
        headers={"Authorization": f"Bearer {main['accessJwt']}"},
    )
    assert revoked.status_code == 200, revoked.text
    ctx = ConnectionCtx(
        network="bluesky",
        account_id=account.did,
        handle=account.handle,
        tokens=tokens,
        instance=peer.pds_url,
    )
    with pytest.raises(AuthError):
        connector.refresh(ctx)


def test_publish_with_link_facet_and_card(
    peer: BlueskyPeer, author: Author, http: httpx.Client
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (120, 63), (200, 80, 20)).save(image, format="PNG")
    images = FakeApp("images")
    images.route("GET", "/card.png")(
        lambda req: Resp(200, image.getvalue(), headers={"Content-Type": "image/png"})
    )
    link = f"https://go.portevoix.test/l/{secrets.token_hex(4)}"
    text = f"Énergie ☀️ 👋🏽 à découvrir : {link} — merci !"
    with serve(images) as images_url:
        post, saved = make_post(
            text,
            link,
            link_title="Rapport annuel",
            link_description="Ce que nous avons fait en 2026",
            link_image_url=f"{images_url}/card.png",
        )
        result = BlueskyConnector().publish(author.ctx(), post)

    [state] = saved
    assert is_tid(state["rkey"])
    assert result.remote_id == f"at://{author.account.did}/app.bsky.feed.post/{state['rkey']}"
    assert result.url == f"https://bsky.app/profile/{author.account.did}/post/{state['rkey']}"

    record = get_record(http, peer, result.remote_id)["value"]
    assert record["text"] == text
    [facet] = record["facets"]
    assert facet["index"] == {"byteStart": 41, "byteEnd": 41 + len(link)}
    assert text.encode()[41 : 41 + len(link)].decode() == link
    assert facet["features"][0]["uri"] == link
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert external["uri"] == link
    assert external["title"] == "Rapport annuel"
    assert external["description"] == "Ce que nous avons fait en 2026"
    assert external["thumb"]["mimeType"] == "image/png"
    assert external["thumb"]["size"] == len(image.getvalue())

    # The AppView shows the card and the link.
    peer.process_all()
    view = http.get(
        f"{peer.appview_url}/xrpc/app.bsky.feed.getPosts", params={"uris": [result.remote_id]}
    ).json()["posts"][0]
    assert view["embed"]["external"]["uri"] == link


def test_an_unfetchable_image_gives_a_card_without_thumb(
    peer: BlueskyPeer, author: Author, http: httpx.Client
) -> None:
    post, _saved = make_post(link_title="Sans image", link_image_url="http://127.0.0.1:9/none.png")
    result = BlueskyConnector().publish(author.ctx(), post)
    external = get_record(http, peer, result.remote_id)["value"]["embed"]["external"]
    assert external["title"] == "Sans image"
    assert "thumb" not in external


def test_a_retry_never_duplicates(
    peer: BlueskyPeer,
    author: Author,
    http: httpx.Client,
    transport: CountingTransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connector = BlueskyConnector(transport=transport)
    marker = secrets.token_hex(6)
    post, saved = make_post(f"Une seule fois {marker} https://go.portevoix.test/l/{marker}")
    assert connector.find_published(author.ctx(), post) is None  # nothing was ever sent
    first = connector.publish(author.ctx(), post)
    [state] = saved

    # The answer was lost: the next attempt carries the saved state.
    retry = PostRequest(
        key=post.key,
        text=post.text,
        link_url=post.link_url,
        state=dict(state),
        save_state=saved.append,
    )
    found = connector.find_published(author.ctx(), retry)
    assert found is not None and found.remote_id == first.remote_id
    again = connector.publish(author.ctx(), retry)
    assert again.remote_id == first.remote_id
    assert len(saved) == 1  # the key is made once

    # A createRecord that meets the key already taken (the PDS answers 500) counts as
    # published: here the check before it is made to miss, as in a race.
    original = connector._get_post_record
    misses = iter([True])

    def missing_once(ctx: ConnectionCtx, client: httpx.Client, rkey: str) -> Any:
        if next(misses, False):
            return None
        return original(ctx, client, rkey)

    monkeypatch.setattr(connector, "_get_post_record", missing_once)
    before = transport.count("com.atproto.repo.createRecord")
    raced = connector.publish(author.ctx(), retry)
    assert transport.count("com.atproto.repo.createRecord") == before + 1
    assert raced.remote_id == first.remote_id

    mine = [r for r in list_posts(http, peer, author.account.did) if marker in r["value"]["text"]]
    assert [r["uri"] for r in mine] == [first.remote_id]

    # A record key that was saved but never reached the PDS: not found.
    lost = PostRequest(key=uuid.uuid4().hex, text="x", link_url="", state={"rkey": make_tid()})
    assert connector.find_published(author.ctx(), lost) is None


def test_a_refused_post_is_a_permanent_error(author: Author) -> None:
    post, saved = make_post("é" * 301)
    with pytest.raises(PermanentError) as caught:
        BlueskyConnector().publish(author.ctx(), post)
    assert not isinstance(caught.value, AuthError)
    assert "300" in caught.value.user_message
    assert len(saved) == 1


def test_metrics_and_followers(
    peer: BlueskyPeer, author: Author, http: httpx.Client, transport: CountingTransport
) -> None:
    # A fresh account, so that the follower count is ours alone.
    account = peer.create_account("mesures")
    tokens, _who = BlueskyConnector().login(
        peer.pds_url, account.handle, peer.create_app_password(account)
    )
    owner = Author(account, "", tokens, [])
    connector = BlueskyConnector(transport=transport)
    post, _saved = make_post()
    published = connector.publish(owner.ctx(), post)
    quiet, _saved = make_post()
    unloved = connector.publish(owner.ctx(), quiet)

    fan = session(http, peer, peer.create_account("fan"))
    subject = {
        "uri": published.remote_id,
        "cid": get_record(http, peer, published.remote_id)["cid"],
    }
    interactions: list[tuple[str, dict[str, Any]]] = [
        ("app.bsky.feed.like", {"subject": subject}),
        ("app.bsky.feed.repost", {"subject": subject}),
        ("app.bsky.feed.post", {"text": "Bravo !", "reply": {"root": subject, "parent": subject}}),
        (
            "app.bsky.feed.post",
            {"text": "À lire", "embed": {"$type": "app.bsky.embed.record", "record": subject}},
        ),
        ("app.bsky.graph.follow", {"subject": account.did}),
    ]
    for collection, record in interactions:
        create_record(
            http, peer, fan, collection, {"$type": collection, "createdAt": now_iso(), **record}
        )
    peer.process_all()

    # More uris than one getPosts call takes: missing posts are left out.
    absent = [f"at://{account.did}/app.bsky.feed.post/{make_tid()}" for _ in range(GET_POSTS_MAX)]
    metrics = connector.fetch_metrics(
        owner.ctx(), [published.remote_id, *absent, unloved.remote_id]
    )
    assert transport.count("app.bsky.feed.getPosts") == 2
    assert set(metrics) == {published.remote_id, unloved.remote_id}
    found = metrics[published.remote_id]
    assert (found.likes, found.reposts, found.replies, found.quotes) == (1, 1, 1, 1)
    assert found.impressions is None
    nothing = metrics[unloved.remote_id]
    assert (nothing.likes, nothing.reposts, nothing.replies, nothing.quotes) == (0, 0, 0, 0)

    assert connector.fetch_followers(owner.ctx()) == 1
    assert transport.count("com.atproto.server.createSession") == 0


def test_connectors_registry_gives_bluesky() -> None:
    from portevoix import networks as connectors

    connector = connectors.get("bluesky")
    assert isinstance(connector, BlueskyConnector)
    assert connector.auth_kind == "app_password"
    assert base.endpoints("bluesky")["service"]
