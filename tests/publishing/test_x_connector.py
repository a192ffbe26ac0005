"""The X connector against the local fake of X (tests/peers/fake_x.py)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone

from portevoix.networks import get
from portevoix.networks.base import (
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    PermanentError,
    PostRequest,
    RateLimited,
    TokenSet,
    TransientError,
)
from portevoix.networks.x import XConnector, contains_link, tweet_has_link
from tests.peers.fake_x import FakeX
from tests.peers.server import FakeApp, serve

pytestmark = pytest.mark.peers

REDIRECT = "https://portevoix.test/connect/x/callback"
LINK = "https://go.portevoix.test/l/Ab3dE9"
TEXT = f"Our new sustainability report is out: {LINK} #climate"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge


class Peer:
    def __init__(self, fake: FakeX, url: str) -> None:
        self.fake = fake
        self.url = url
        self.client = ClientCredentials(fake.client_id, fake.client_secret, REDIRECT)

    def ctx(self, tokens: TokenSet | None = None, **kwargs: object) -> ConnectionCtx:
        if tokens is None:
            issued = self.fake.issue_tokens()
            tokens = TokenSet(issued["access_token"], issued.get("refresh_token", ""))
        user = self.fake.default_user
        return ConnectionCtx(
            network="x",
            account_id=user.id,
            handle=user.username,
            tokens=tokens,
            client=self.client,
            **kwargs,  # type: ignore[arg-type]
        )


class Switch:
    """One server for the whole module (stopping a server costs half a second), answering
    with the fake of the current test."""

    def __init__(self) -> None:
        self.fake: FakeX | None = None
        self.app = FakeApp("x-switch")
        self.app.before = lambda req: self.fake.app.handle(req) if self.fake else None


@pytest.fixture(scope="module")
def switch() -> Iterator[tuple[Switch, str]]:
    holder = Switch()
    with serve(holder.app) as url:
        yield holder, url


def _start(settings, switch: tuple[Switch, str], fake: FakeX) -> Iterator[Peer]:
    holder, url = switch
    holder.fake = fake
    settings.SOCIAL_ENDPOINTS = {
        "x": {
            "authorize": f"{url}/i/oauth2/authorize",
            "token": f"{url}/2/oauth2/token",
            "revoke": f"{url}/2/oauth2/revoke",
            "api": url,
        }
    }
    yield Peer(fake, url)
    holder.fake = None


@pytest.fixture
def peer(settings, switch) -> Iterator[Peer]:
    yield from _start(settings, switch, FakeX())


@pytest.fixture
def public_peer(settings, switch) -> Iterator[Peer]:
    yield from _start(settings, switch, FakeX(client_secret=""))


@pytest.fixture
def x() -> XConnector:
    connector = get("x")
    assert isinstance(connector, XConnector)
    return connector


def post_request(text: str = TEXT, link: str = LINK) -> PostRequest:
    return PostRequest(key=secrets.token_hex(16), text=text, link_url=link)


def consent(peer: Peer, authorize_url: str) -> str:
    """The user goes to the authorize URL and consents: the code from the redirect."""
    response = httpx.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    return query["code"][0]


# ---------------------------------------------------------------------- connecting


def test_authorize_url_carries_pkce_and_scopes(peer, x):
    _verifier, challenge = pkce()
    url = x.authorize_url(peer.client, state="st4te", code_challenge=challenge)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{peer.url}/i/oauth2/authorize"
    assert "%20" in parts.query  # scopes separated by encoded spaces, as in X's examples
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "x-client-id",
        "redirect_uri": REDIRECT,
        "scope": "tweet.read tweet.write users.read offline.access",
        "state": "st4te",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    assert x.uses_pkce is True


def test_full_authorization_confidential_client(peer, x):
    verifier, challenge = pkce()
    code = consent(peer, x.authorize_url(peer.client, state="s", code_challenge=challenge))

    tokens = x.exchange_code(peer.client, code=code, code_verifier=verifier)

    assert tokens.access_token and tokens.refresh_token
    assert tokens.expires_at is not None
    remaining = tokens.expires_at - timezone.now()
    assert dt.timedelta(hours=1, minutes=59) < remaining <= dt.timedelta(hours=2)
    assert set(tokens.scope.split()) == {
        "tweet.read",
        "tweet.write",
        "users.read",
        "offline.access",
    }
    # A confidential client authenticates with HTTP Basic client_id:client_secret.
    token_call = next(c for c in peer.fake.app.calls if c.path == "/2/oauth2/token")
    expected = base64.b64encode(b"x-client-id:x-client-secret").decode()
    assert token_call.headers["authorization"] == f"Basic {expected}"
    form = token_call.form()
    assert form["grant_type"] == "authorization_code"
    assert form["code_verifier"] == verifier
    assert form["redirect_uri"] == REDIRECT
    assert "client_secret" not in form

    accounts = x.accounts(tokens)
    assert [(a.account_id, a.handle, a.display_name, a.followers) for a in accounts] == [
        ("2244994945", "AmbassadorAnna", "Anna Ambassador", 1234)
    ]
    assert accounts[0].url == "https://x.com/AmbassadorAnna"


def test_public_client_sends_client_id_in_body(public_peer, x):
    verifier, challenge = pkce()
    code = consent(
        public_peer, x.authorize_url(public_peer.client, state="s", code_challenge=challenge)
    )

    tokens = x.exchange_code(public_peer.client, code=code, code_verifier=verifier)

    assert tokens.access_token
    token_call = next(c for c in public_peer.fake.app.calls if c.path == "/2/oauth2/token")
    assert "authorization" not in token_call.headers
    assert token_call.form()["client_id"] == "x-client-id"


def test_wrong_code_verifier_is_refused(peer, x):
    _verifier, challenge = pkce()
    code = consent(peer, x.authorize_url(peer.client, state="s", code_challenge=challenge))
    other_verifier, _other = pkce()

    with pytest.raises(AuthError) as caught:
        x.exchange_code(peer.client, code=code, code_verifier=other_verifier)

    assert caught.value.status == 400
    assert "code verifier did not match" in caught.value.user_message


def test_wrong_redirect_uri_and_reused_code_are_refused(peer, x):
    verifier, challenge = pkce()
    code = peer.fake.authorize(redirect_uri=REDIRECT, code_challenge=challenge)
    elsewhere = ClientCredentials(peer.client.client_id, peer.client.client_secret, REDIRECT + "2")
    with pytest.raises(AuthError):
        x.exchange_code(elsewhere, code=code, code_verifier=verifier)
    # The failed attempt used the code up, as a real authorization server does.
    with pytest.raises(AuthError):
        x.exchange_code(peer.client, code=code, code_verifier=verifier)


def test_wrong_client_secret_is_refused(peer, x):
    verifier, challenge = pkce()
    code = peer.fake.authorize(redirect_uri=REDIRECT, code_challenge=challenge)
    wrong = ClientCredentials(peer.client.client_id, "not-the-secret", REDIRECT)
    with pytest.raises(AuthError) as caught:
        x.exchange_code(wrong, code=code, code_verifier=verifier)
    assert caught.value.status == 401


def test_refresh_rotates_the_refresh_token(peer, x):
    issued = peer.fake.issue_tokens()
    old = TokenSet(issued["access_token"], issued["refresh_token"])
    stored: list[TokenSet] = []
    ctx = peer.ctx(old, on_tokens_refreshed=stored.append)

    new = x.refresh(ctx)

    assert stored == [new]
    assert new.access_token != old.access_token
    assert new.refresh_token and new.refresh_token != old.refresh_token
    assert new.expires_at is not None and new.expires_at > timezone.now() + dt.timedelta(hours=1)
    assert x.accounts(new)[0].handle == "AmbassadorAnna"
    # The old refresh token stopped working.
    with pytest.raises(AuthError):
        x.refresh(peer.ctx(old))
    # The new one works, and rotates again.
    newer = x.refresh(peer.ctx(new))
    assert newer.refresh_token not in (old.refresh_token, new.refresh_token)
    refresh_call = next(c for c in peer.fake.app.calls if c.path == "/2/oauth2/token")
    assert refresh_call.form()["grant_type"] == "refresh_token"


def test_refresh_without_refresh_token_needs_reconnect(peer, x):
    ctx = peer.ctx(TokenSet("access-only"))
    with pytest.raises(AuthError):
        x.refresh(ctx)


def test_needs_refresh_ahead_of_the_two_hours(x):
    now = timezone.now()
    assert not x.needs_refresh(TokenSet("a", expires_at=now + dt.timedelta(hours=2)), now)
    assert x.needs_refresh(TokenSet("a", expires_at=now + dt.timedelta(minutes=5)), now)


def test_revoke_makes_the_token_useless(peer, x):
    ctx = peer.ctx()
    assert x.accounts(ctx.tokens)
    x.revoke(ctx)
    with pytest.raises(AuthError):
        x.accounts(ctx.tokens)
    revokes = [c.form() for c in peer.fake.app.calls if c.path == "/2/oauth2/revoke"]
    assert [r["token_type_hint"] for r in revokes] == ["refresh_token", "access_token"]


# ---------------------------------------------------------------------- publishing


def test_publish_creates_the_post(peer, x):
    ctx = peer.ctx()

    result = x.publish(ctx, post_request())

    tweet = peer.fake.tweet(result.remote_id)
    assert tweet is not None and tweet.original == TEXT
    assert result.url == f"https://x.com/AmbassadorAnna/status/{result.remote_id}"
    # X shows the link wrapped as t.co.
    assert LINK not in tweet.text and "https://t.co/" in tweet.text
    sent = next(c for c in peer.fake.app.calls if c.path == "/2/tweets")
    assert sent.json() == {"text": TEXT}
    assert sent.headers["authorization"] == f"Bearer {ctx.tokens.access_token}"


def test_find_published_sees_through_tco(peer, x):
    ctx = peer.ctx()
    other = peer.fake.add_tweet("Something else https://example.org/page")
    mine = peer.fake.add_tweet(TEXT)
    peer.fake.add_tweet("And a later one https://go.portevoix.test/l/Ab3dE9X")  # longer code

    found = x.find_published(ctx, post_request())

    assert found is not None and found.remote_id == mine.id != other.id
    assert found.url == f"https://x.com/AmbassadorAnna/status/{mine.id}"
    call = next(c for c in peer.fake.app.calls if c.path.endswith("/tweets") and c.method == "GET")
    assert call.path == "/2/users/2244994945/tweets"
    assert "entities" in call.query["tweet.fields"].split(",")
    assert call.query["max_results"] == "100"


def test_find_published_none_when_absent(peer, x):
    peer.fake.add_tweet("Unrelated https://example.org/a")
    assert x.find_published(peer.ctx(), post_request()) is None


def test_lost_response_then_find_published(peer, x, settings):
    """The post reached X but the answer never came back: the next attempt finds it."""
    settings.SOCIAL_HTTP_TIMEOUT = 0.25
    ctx = peer.ctx()
    peer.fake.lose_next_response(delay=0.6)

    with pytest.raises(TransientError):
        x.publish(ctx, post_request())

    assert len(peer.fake.tweets_of()) == 1
    found = x.find_published(ctx, post_request())
    assert found is not None and found.remote_id == peer.fake.tweets_of()[0].id
    peer.fake.wait_late_answer()


def test_duplicate_refusal_returns_our_earlier_post(peer, x):
    """An earlier attempt created the post; a blind retry meets X's duplicate refusal."""
    earlier = peer.fake.add_tweet(TEXT)

    result = x.publish(peer.ctx(), post_request())

    assert result.remote_id == earlier.id
    assert len(peer.fake.tweets_of()) == 1
    assert peer.fake.app.count("POST", "/2/tweets") == 1
    assert peer.fake.app.count("GET", "/2/users/2244994945/tweets") == 1


def test_duplicate_refusal_of_an_unfound_post_is_permanent(peer, x):
    """X says duplicate but the account's recent posts do not hold our link: tell the
    ambassador (here the same text was posted long ago, beyond the recent posts we read)."""
    text = "Proud of the team! Read why: https://go.portevoix.test/l/Old111"
    peer.fake.add_tweet(text, when=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for i in range(100):
        peer.fake.add_tweet(f"Post number {i}")

    with pytest.raises(PermanentError) as caught:
        x.publish(peer.ctx(), post_request(text=text, link="https://go.portevoix.test/l/Old111"))

    assert not isinstance(caught.value, AuthError)
    assert "duplicates one of your earlier posts" in caught.value.user_message
    assert caught.value.status == 403


def test_too_long_text_is_permanent(peer, x):
    with pytest.raises(PermanentError) as caught:
        x.publish(peer.ctx(), post_request(text="x" * 300 + " " + LINK))
    assert "too long" in caught.value.user_message
    assert caught.value.status == 400


def test_expired_access_token_gives_auth_error(peer, x):
    ctx = peer.ctx()
    peer.fake.expire_access_token(ctx.tokens.access_token)

    with pytest.raises(AuthError) as caught:
        x.publish(ctx, post_request())
    assert caught.value.status == 401
    with pytest.raises(AuthError):
        x.accounts(ctx.tokens)
    assert peer.fake.tweets_of() == []


def test_rate_limit_storm(peer, x):
    ctx = peer.ctx()
    reset = peer.fake.storm(2)

    with pytest.raises(RateLimited) as caught:
        x.publish(ctx, post_request())
    assert caught.value.retry_at == dt.datetime.fromtimestamp(reset, tz=dt.UTC)
    assert caught.value.status == 429
    with pytest.raises(RateLimited):
        x.fetch_followers(ctx)
    assert peer.fake.tweets_of() == []

    # The storm is over: the next attempt goes through.
    result = x.publish(ctx, post_request())
    assert peer.fake.tweet(result.remote_id) is not None


def test_every_api_response_carries_rate_limit_headers(peer, x):
    ctx = peer.ctx()
    with httpx.Client(base_url=peer.url) as http:
        response = http.get(
            "/2/users/me", headers={"Authorization": f"Bearer {ctx.tokens.access_token}"}
        )
    assert response.status_code == 200
    assert response.headers["x-rate-limit-limit"] == "75"
    assert response.headers["x-rate-limit-remaining"] == "74"
    assert int(response.headers["x-rate-limit-reset"]) > timezone.now().timestamp()


# ---------------------------------------------------------------------- what came back


def test_fetch_metrics_in_batches_of_100(peer, x):
    ctx = peer.ctx()
    tweets = [peer.fake.add_tweet(f"Post {i}") for i in range(105)]
    peer.fake.set_metrics(
        tweets[0].id,
        like_count=7,
        reply_count=2,
        retweet_count=3,
        quote_count=1,
        impression_count=420,
    )
    peer.fake.set_metrics(tweets[104].id, like_count=1)

    metrics = x.fetch_metrics(ctx, [t.id for t in tweets] + ["1"])

    assert len(metrics) == 105  # the unknown id is left out
    first = metrics[tweets[0].id]
    assert (first.likes, first.replies, first.reposts, first.quotes, first.impressions) == (
        7,
        2,
        3,
        1,
        420,
    )
    assert metrics[tweets[104].id].likes == 1
    lookups = [c for c in peer.fake.app.calls if c.path == "/2/tweets" and c.method == "GET"]
    assert [len(c.query["ids"].split(",")) for c in lookups] == [100, 6]
    assert all(c.query["tweet.fields"] == "public_metrics" for c in lookups)


def test_fetch_metrics_of_nothing_makes_no_request(peer, x):
    assert x.fetch_metrics(peer.ctx(), []) == {}
    assert peer.fake.app.count("GET", "/2/tweets") == 0


def test_fetch_followers(peer, x):
    peer.fake.default_user.followers = 4321
    assert x.fetch_followers(peer.ctx()) == 4321


# ---------------------------------------------------------------------- link matching


def test_contains_link_needs_the_whole_link():
    assert contains_link(f"Read {LINK}", LINK)
    assert contains_link(f"Read {LINK}.", LINK)
    assert contains_link(f"({LINK})", LINK)
    assert contains_link(f"Read {LINK}/ now", LINK)
    assert not contains_link(f"Read {LINK}X", LINK)
    assert not contains_link(f"Read {LINK}-2", LINK)
    assert not contains_link(f"Read {LINK}/more", LINK)
    assert not contains_link("anything", "")


def test_tweet_has_link_reads_entities():
    tweet = {
        "text": "Read https://t.co/abcdefghij",
        "entities": {"urls": [{"url": "https://t.co/abcdefghij", "expanded_url": LINK + "/"}]},
    }
    assert tweet_has_link(tweet, LINK)
    assert not tweet_has_link(tweet, LINK + "X")
