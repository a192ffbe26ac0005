"""The Bluesky connector without the real network: the pure parts (TIDs, facet byte offsets,
JWT expiry), and small FakeApps for the answers the real network does not give on demand (429
with `ratelimit-reset`, 5xx, an expired session).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.networks.base import (
    AuthError,
    ConnectionCtx,
    ConnectorError,
    PermanentError,
    RateLimited,
    TokenSet,
    TransientError,
)
from portevoix.networks.bluesky import (
    BlueskyConnector,
    is_tid,
    jwt_expiry,
    link_facets,
    make_tid,
    tid_timestamp_us,
)
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = pytest.mark.peers


# --------------------------------------------------------------------------- pure: TIDs, facets


def test_tid_format() -> None:
    tid = make_tid()
    assert len(tid) == 13
    assert is_tid(tid)
    assert tid[0] in "234567abcdefghij"
    # The spec's zero, and a value checked against an independent implementation.
    assert make_tid(0, 0) == "2222222222222"
    assert make_tid(1724171495793000, 512) == "3l25zusnsfck2"
    assert tid_timestamp_us("3l25zusnsfck2") == 1724171495793000
    # Sortable by time; the clock id only breaks ties.
    assert make_tid(1_700_000_000_000_000, 1023) < make_tid(1_700_000_000_000_001, 0)
    assert abs(tid_timestamp_us(tid) / 1e6 - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert not is_tid("3l25zusnsfck")  # 12 characters
    assert not is_tid("kl25zusnsfck2")  # top bit set
    assert not is_tid("3l25zusnsfck1")  # 1 is not in the alphabet


def test_link_facets_count_utf8_bytes() -> None:
    link = "https://go.example.org/l/Ab3xYz9"
    text = f"Énergie ☀️ 👋🏽 à découvrir : {link} — merci !"
    [facet] = link_facets(text, [link])
    index = facet["index"]
    # É is 2 bytes, ☀️ 6 (U+2600 U+FE0F), 👋🏽 8 (two 4-byte code points), à 2, é 2.
    assert index == {"byteStart": 41, "byteEnd": 41 + len(link)}
    assert text.index(link) == 28  # characters: not what a facet counts
    assert text.encode()[index["byteStart"] : index["byteEnd"]].decode() == link
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": link}]


def test_link_facets_leave_sentence_punctuation_out() -> None:
    text = "(voir https://a.test/x_(y)). Puis https://b.test/p?q=1, et https://c.test/fin."
    uris = [f["features"][0]["uri"] for f in link_facets(text)]
    assert uris == ["https://a.test/x_(y)", "https://b.test/p?q=1", "https://c.test/fin"]
    for facet in link_facets(text):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert text.encode()[start:end].decode() == facet["features"][0]["uri"]


def test_the_tracked_link_is_faceted_even_with_odd_characters() -> None:
    link = "https://go.example.org/l/Zz9?utm=é"
    text = f"«{link}»"
    [facet] = link_facets(text, [link])
    assert facet["index"] == {"byteStart": 2, "byteEnd": 2 + len(link.encode())}
    assert link_facets("Pas de lien ici.") == []


def test_jwt_expiry_reads_exp() -> None:
    assert jwt_expiry("not-a-jwt") is None
    # {"exp": 2000000000}
    token = "e30.eyJleHAiOjIwMDAwMDAwMDB9.sig"
    assert jwt_expiry(token) == dt.datetime.fromtimestamp(2_000_000_000, tz=dt.UTC)


# --------------------------------------------------------------------------- errors (FakeApp)


def fake_pds(handler: Any) -> FakeApp:
    app = FakeApp("bluesky")

    @app.route("POST", "/xrpc/com.atproto.server.refreshSession")
    def refresh(req: Req) -> Resp:
        if req.bearer() != "refresh-1":
            return Resp(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return Resp(
            200,
            {
                "did": "did:plc:fake",
                "handle": "a.test",
                "accessJwt": "access-2",
                "refreshJwt": "refresh-2",
            },
        )

    app.route("GET", "/xrpc/app.bsky.actor.getProfile")(handler)
    return app


def fake_ctx(
    url: str, refreshed: list[TokenSet], *, refresh_token: str = "refresh-1"
) -> ConnectionCtx:
    return ConnectionCtx(
        network="bluesky",
        account_id="did:plc:fake",
        handle="a.test",
        tokens=TokenSet(
            access_token="access-1",
            refresh_token=refresh_token,
            extra={"did": "did:plc:fake", "pds": url, "service": url},
        ),
        instance=url,
        on_tokens_refreshed=refreshed.append,
    )


def test_429_is_rate_limited_until_ratelimit_reset() -> None:
    reset = int(dt.datetime.now(dt.UTC).timestamp()) + 300
    app = fake_pds(
        lambda req: Resp(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(reset),
            },
        )
    )
    with serve(app) as url, pytest.raises(RateLimited) as caught:
        BlueskyConnector().fetch_followers(fake_ctx(url, []))
    assert caught.value.retry_at == dt.datetime.fromtimestamp(reset, tz=dt.UTC)


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (502, "Bad Gateway", TransientError),
        (503, {"error": "UpstreamFailure", "message": "down"}, TransientError),
        (400, {"error": "InvalidRequest", "message": "Invalid actor"}, PermanentError),
        (401, {"error": "AuthenticationRequired", "message": "no"}, AuthError),
    ],
)
def test_error_statuses(status: int, body: Any, error_class: type[ConnectorError]) -> None:
    app = fake_pds(lambda req: Resp(status, body))
    with serve(app) as url, pytest.raises(error_class) as caught:
        BlueskyConnector().fetch_followers(fake_ctx(url, [], refresh_token=""))
    assert type(caught.value) is error_class
    assert caught.value.status == status


def test_an_expired_session_is_refreshed_once_and_the_call_retried() -> None:
    def profile(req: Req) -> Resp:
        if req.bearer() == "access-2":
            return Resp(200, {"did": "did:plc:fake", "handle": "a.test", "followersCount": 7})
        return Resp(400, {"error": "ExpiredToken", "message": "Token has expired"})

    app = fake_pds(profile)
    refreshed: list[TokenSet] = []
    with serve(app) as url:
        ctx = fake_ctx(url, refreshed)
        assert BlueskyConnector().fetch_followers(ctx) == 7
    assert [t.access_token for t in refreshed] == ["access-2"]
    assert ctx.tokens.refresh_token == "refresh-2"
    assert app.count("POST", "/xrpc/com.atproto.server.refreshSession") == 1
    assert app.count("GET", "/xrpc/app.bsky.actor.getProfile") == 2


def test_a_refused_refresh_is_an_auth_error() -> None:
    app = fake_pds(lambda req: Resp(400, {"error": "ExpiredToken", "message": "expired"}))
    refreshed: list[TokenSet] = []
    with serve(app) as url, pytest.raises(AuthError):
        BlueskyConnector().fetch_followers(fake_ctx(url, refreshed, refresh_token="revoked"))
    assert refreshed == []
