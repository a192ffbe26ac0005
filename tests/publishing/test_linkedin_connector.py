"""The LinkedIn connector against the local fake of LinkedIn (tests/peers/fake_linkedin.py)."""

from __future__ import annotations

import datetime as dt
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
from portevoix.networks.linkedin import (
    LinkedInConnector,
    escape_little,
    restli_encode,
    unescape_little,
)
from tests.peers.fake_linkedin import FakeLinkedIn, render_little
from tests.peers.server import FakeApp, serve

pytestmark = pytest.mark.peers

REDIRECT = "https://portevoix.test/connect/linkedin/callback"
LINK = "https://go.portevoix.test/l/Zx81Qp"
TEXT = f"Proud of our team (and of our clients) - read it: {LINK} #climate"


class Switch:
    """One server for the whole module (stopping a server costs half a second), answering
    with the fake of the current test."""

    def __init__(self) -> None:
        self.fake: FakeLinkedIn | None = None
        self.app = FakeApp("linkedin-switch")
        self.app.before = lambda req: self.fake.app.handle(req) if self.fake else None


@pytest.fixture(scope="module")
def switch() -> Iterator[tuple[Switch, str]]:
    holder = Switch()
    with serve(holder.app) as url:
        yield holder, url


class Peer:
    def __init__(self, fake: FakeLinkedIn, url: str) -> None:
        self.fake = fake
        self.url = url
        self.client = ClientCredentials(fake.client_id, fake.client_secret, REDIRECT)

    def ctx(self, tokens: TokenSet | None = None, **kwargs: object) -> ConnectionCtx:
        if tokens is None:
            issued = self.fake.issue_tokens()
            tokens = TokenSet(issued["access_token"], issued.get("refresh_token", ""))
        return ConnectionCtx(
            network="linkedin",
            account_id=self.fake.member.urn,
            handle=self.fake.member.name,
            tokens=tokens,
            client=self.client,
            **kwargs,  # type: ignore[arg-type]
        )


def _start(settings, switch: tuple[Switch, str], fake: FakeLinkedIn) -> Iterator[Peer]:
    holder, url = switch
    holder.fake = fake
    settings.SOCIAL_ENDPOINTS = {
        "linkedin": {
            "authorize": f"{url}/oauth/v2/authorization",
            "token": f"{url}/oauth/v2/accessToken",
            "api": url,
            "version": "202510",
        }
    }
    yield Peer(fake, url)
    holder.fake = None


@pytest.fixture
def peer(settings, switch) -> Iterator[Peer]:
    yield from _start(settings, switch, FakeLinkedIn())


@pytest.fixture
def partner_peer(settings, switch) -> Iterator[Peer]:
    """An app LinkedIn approved for programmatic refresh tokens."""
    yield from _start(settings, switch, FakeLinkedIn(refresh_tokens=True))


@pytest.fixture
def closed_peer(settings, switch) -> Iterator[Peer]:
    """An ordinary app: no r_member_social, it may not list the member's posts."""
    yield from _start(settings, switch, FakeLinkedIn(member_posts_readable=False))


@pytest.fixture
def li() -> LinkedInConnector:
    connector = get("linkedin")
    assert isinstance(connector, LinkedInConnector)
    return connector


def post_request(text: str = TEXT, link: str = LINK) -> PostRequest:
    return PostRequest(
        key=secrets.token_hex(16),
        text=text,
        link_url=link,
        link_title="Our 2026 report",
        link_description="What we did this year",
    )


def consent(authorize_url: str) -> str:
    response = httpx.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert "error" not in query, query
    return query["code"][0]


# ---------------------------------------------------------------------- connecting


def test_authorize_url(peer, li):
    url = li.authorize_url(peer.client, state="st4te", code_challenge="ignored")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{peer.url}/oauth/v2/authorization"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "li-client-id",
        "redirect_uri": REDIRECT,
        "state": "st4te",
        "scope": "openid profile email w_member_social",
    }
    assert li.uses_pkce is False


def test_full_authorization_and_userinfo(peer, li):
    code = consent(li.authorize_url(peer.client, state="s"))

    tokens = li.exchange_code(peer.client, code=code)

    assert tokens.access_token.startswith("AQ")
    assert tokens.refresh_token == ""  # ordinary apps get no refresh token
    assert tokens.expires_at is not None
    assert abs(tokens.expires_at - (timezone.now() + dt.timedelta(days=60))) < dt.timedelta(
        minutes=1
    )
    assert tokens.scope.split() == ["email", "openid", "profile", "w_member_social"]
    form = next(c for c in peer.fake.app.calls if c.path == "/oauth/v2/accessToken").form()
    assert form == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "li-client-id",
        "client_secret": "li-client-secret",
    }

    accounts = li.accounts(tokens)

    assert len(accounts) == 1
    account = accounts[0]
    assert account.account_id == "urn:li:person:yrZCpj2Z12"
    assert (account.handle, account.display_name, account.kind) == (
        "Anna Ambassador",
        "Anna Ambassador",
        "personal",
    )
    assert account.followers is None


def test_exchange_with_partner_refresh_token(partner_peer, li):
    code = partner_peer.fake.authorize(redirect_uri=REDIRECT, scope=" ".join(li.scopes))
    tokens = li.exchange_code(partner_peer.client, code=code)
    assert tokens.refresh_token.startswith("AQX")
    assert tokens.refresh_expires_at is not None
    assert tokens.refresh_expires_at - timezone.now() > dt.timedelta(days=364)


def test_exchange_refused(peer, li):
    code = peer.fake.authorize(redirect_uri=REDIRECT, scope=" ".join(li.scopes))
    elsewhere = ClientCredentials(peer.client.client_id, peer.client.client_secret, REDIRECT + "2")
    with pytest.raises(AuthError) as caught:
        li.exchange_code(elsewhere, code=code)
    assert caught.value.status == 400
    assert "Unable to retrieve access token" in caught.value.user_message

    wrong_secret = ClientCredentials(peer.client.client_id, "nope", REDIRECT)
    with pytest.raises(AuthError) as caught:
        li.exchange_code(wrong_secret, code="anything")
    assert caught.value.status == 401


def test_refresh_with_a_partner_refresh_token(partner_peer, li):
    issued = partner_peer.fake.issue_tokens()
    old = TokenSet(issued["access_token"], issued["refresh_token"])
    stored: list[TokenSet] = []

    new = li.refresh(partner_peer.ctx(old, on_tokens_refreshed=stored.append))

    assert stored == [new]
    assert new.access_token != old.access_token
    # LinkedIn keeps the refresh token (and its expiry) across refreshes.
    assert new.refresh_token == old.refresh_token
    assert new.refresh_expires_at is not None
    assert li.accounts(new)[0].account_id == "urn:li:person:yrZCpj2Z12"
    form = next(c.form() for c in partner_peer.fake.app.calls if c.path == "/oauth/v2/accessToken")
    assert form["grant_type"] == "refresh_token"
    assert form["client_secret"] == "li-client-secret"


def test_refresh_without_refresh_token_needs_reconnect(peer, li):
    with pytest.raises(AuthError):
        li.refresh(peer.ctx())
    assert peer.fake.app.count("POST", "/oauth/v2/accessToken") == 0


def test_refresh_refused(partner_peer, li):
    ctx = partner_peer.ctx(TokenSet("AQold", "AQXunknown"))
    with pytest.raises(AuthError):
        li.refresh(ctx)


def test_revoke(peer, li):
    ctx = peer.ctx()
    li.revoke(ctx)
    with pytest.raises(AuthError):
        li.accounts(ctx.tokens)


# ---------------------------------------------------------------------- publishing


def test_publish_sends_the_documented_request(peer, li):
    ctx = peer.ctx()

    result = li.publish(ctx, post_request())

    assert result.remote_id.startswith("urn:li:share:")
    assert result.url == f"https://www.linkedin.com/feed/update/{result.remote_id}/"
    call = next(c for c in peer.fake.app.calls if c.path == "/rest/posts")
    assert call.headers["linkedin-version"] == "202510"
    assert call.headers["x-restli-protocol-version"] == "2.0.0"
    assert call.headers["authorization"] == f"Bearer {ctx.tokens.access_token}"
    assert call.json() == {
        "author": "urn:li:person:yrZCpj2Z12",
        "commentary": escape_little(TEXT),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "content": {
            "article": {
                "source": LINK,
                "title": "Our 2026 report",
                "description": "What we did this year",
            }
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    # LinkedIn shows the whole text: nothing cut at the parentheses.
    stored = peer.fake.post(result.remote_id)
    assert stored is not None
    assert stored.truncated is False
    assert stored.rendered == TEXT


def test_unescaped_commentary_would_be_cut(peer):
    """What the escaping prevents: LinkedIn cuts the text at a bare reserved character."""
    post = peer.fake.add_post(TEXT)
    assert post.truncated is True
    assert post.rendered == "Proud of our team "


def test_publish_article_title_defaults_to_the_link(peer, li):
    post = PostRequest(key="k" * 32, text=f"Look {LINK}", link_url=LINK)
    assert li.post_body(peer.ctx(), post)["content"] == {"article": {"source": LINK, "title": LINK}}


def test_find_published(peer, li):
    ctx = peer.ctx()
    peer.fake.add_post(escape_little("Something else https://example.org/x"))
    published = li.publish(ctx, post_request())
    peer.fake.add_post(escape_little(f"Another share {LINK}9"), source=f"{LINK}9")

    found = li.find_published(ctx, post_request())

    assert found is not None and found.remote_id == published.remote_id
    assert found.url == published.url
    call = next(c for c in peer.fake.app.calls if c.path == "/rest/posts" and c.method == "GET")
    assert call.query == {
        "q": "author",
        "author": "urn:li:person:yrZCpj2Z12",
        "count": "20",
        "sortBy": "LAST_MODIFIED",
    }
    assert call.headers["linkedin-version"] == "202510"
    assert call.headers["x-restli-protocol-version"] == "2.0.0"


def test_find_published_by_article_source(peer, li):
    """A post whose commentary does not show the link is still found by its article."""
    post = peer.fake.add_post("Our report, with a photo", source=LINK)
    found = li.find_published(peer.ctx(), post_request())
    assert found is not None and found.remote_id == post.urn


def test_find_published_none_when_absent(peer, li):
    peer.fake.add_post(
        escape_little("Unrelated https://example.org/a"), source="https://example.org/a"
    )
    assert li.find_published(peer.ctx(), post_request()) is None


def test_find_url_encodes_the_urn_for_restli_2():
    assert restli_encode("urn:li:person:yrZCpj2Z12") == "urn%3Ali%3Aperson%3AyrZCpj2Z12"
    url = LinkedInConnector().find_url("urn:li:person:abc-D_1")
    assert url.endswith(
        "/rest/posts?q=author&author=urn%3Ali%3Aperson%3Aabc-D_1&count=20&sortBy=LAST_MODIFIED"
    )
    # httpx keeps the encoding as it is.
    assert "author=urn%3Ali%3Aperson%3Aabc-D_1" in str(httpx.URL(url))


def test_lost_response_then_find_published(peer, li, settings):
    settings.SOCIAL_HTTP_TIMEOUT = 0.25
    ctx = peer.ctx()
    peer.fake.lose_next_response(delay=0.6)

    with pytest.raises(TransientError):
        li.publish(ctx, post_request())

    assert len(peer.fake.posts) == 1
    found = li.find_published(ctx, post_request())
    assert found is not None and found.remote_id == peer.fake.posts[0].urn
    peer.fake.wait_late_answer()


def test_without_r_member_social_the_duplicate_refusal_keeps_it_once(closed_peer, li, settings):
    """An ordinary app may not list the member's posts (403): find_published says no, and
    the retry meets LinkedIn's duplicate refusal, which names the post an earlier attempt
    created."""
    settings.SOCIAL_HTTP_TIMEOUT = 0.25
    ctx = closed_peer.ctx()
    closed_peer.fake.lose_next_response(delay=0.6)
    with pytest.raises(TransientError):
        li.publish(ctx, post_request())

    assert li.find_published(ctx, post_request()) is None
    result = li.publish(ctx, post_request())

    assert len(closed_peer.fake.posts) == 1
    assert result.remote_id == closed_peer.fake.posts[0].urn
    assert result.url == f"https://www.linkedin.com/feed/update/{result.remote_id}/"
    assert closed_peer.fake.app.count("POST", "/rest/posts") == 2
    closed_peer.fake.wait_late_answer()


def test_too_long_commentary_is_permanent(peer, li):
    with pytest.raises(PermanentError) as caught:
        li.publish(peer.ctx(), post_request(text="a" * 3001 + " " + LINK))
    assert not isinstance(caught.value, AuthError)
    assert caught.value.status == 422
    assert "exceeds 3000" in caught.value.user_message


def test_missing_or_inactive_version_header(peer, li, settings):
    ctx = peer.ctx()
    with httpx.Client(base_url=peer.url) as http:
        missing = http.post(
            "/rest/posts",
            json={},
            headers={
                "Authorization": f"Bearer {ctx.tokens.access_token}",
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )
    assert missing.status_code == 400
    assert missing.json()["code"] == "VERSION_MISSING"

    settings.SOCIAL_ENDPOINTS = {
        "linkedin": {**settings.SOCIAL_ENDPOINTS["linkedin"], "version": "202401"}
    }
    with pytest.raises(PermanentError) as caught:
        li.publish(ctx, post_request())
    assert caught.value.status == 426
    assert "API version" in caught.value.user_message
    assert "NONEXISTENT_VERSION" in caught.value.detail
    assert peer.fake.posts == []


def test_expired_or_revoked_token_gives_auth_error(peer, li):
    ctx = peer.ctx()
    peer.fake.expire_token(ctx.tokens.access_token)
    with pytest.raises(AuthError) as caught:
        li.publish(ctx, post_request())
    assert caught.value.status == 401
    assert "65602" in caught.value.detail
    with pytest.raises(AuthError):
        li.accounts(ctx.tokens)

    other = peer.ctx()
    peer.fake.revoke_token(other.tokens.access_token)
    with pytest.raises(AuthError) as caught:
        li.find_published(other, post_request())
    assert "65601" in caught.value.detail
    assert peer.fake.posts == []


def test_rate_limited_without_reset(peer, li):
    ctx = peer.ctx()
    peer.fake.storm(2)
    with pytest.raises(RateLimited) as caught:
        li.publish(ctx, post_request())
    assert caught.value.retry_at is None
    assert caught.value.status == 429
    with pytest.raises(RateLimited):
        li.find_published(ctx, post_request())
    assert peer.fake.posts == []
    assert li.publish(ctx, post_request()).remote_id == peer.fake.posts[0].urn


def test_metrics_and_followers_unsupported(peer, li):
    assert LinkedInConnector.supports_metrics is False
    assert LinkedInConnector.supports_followers is False
    before = len(peer.fake.app.calls)
    assert li.fetch_metrics(peer.ctx(), ["urn:li:share:1"]) == {}
    assert li.fetch_followers(peer.ctx()) is None
    assert len(peer.fake.app.calls) == before


# ---------------------------------------------------------------------- little text format


@pytest.mark.parametrize("char", list("\\|{}@[]()<>*_~"))
def test_every_reserved_character_is_escaped(char):
    assert escape_little(f"a{char}b") == f"a\\{char}b"
    assert render_little(escape_little(f"a{char}b")) == (f"a{char}b", False)


def test_escape_little_keeps_hashtags_and_escapes_other_hashes():
    assert escape_little("#climate matters") == "#climate matters"
    assert escape_little("Go (#team)!") == "Go \\(#team\\)!"
    assert escape_little("I code in C# and F#.") == "I code in C\\# and F\\#."
    assert escape_little("# alone") == "\\# alone"
    assert escape_little("#climate", keep_hashtags=False) == "\\#climate"


def test_escape_little_handles_mentions_templates_and_backslashes():
    assert escape_little("@[Eddy](urn:li:person:1234)") == "\\@\\[Eddy\\]\\(urn:li:person:1234\\)"
    assert escape_little("{hashtag|\\#|tag}") == "\\{hashtag\\|\\\\\\#\\|tag\\}"
    assert escape_little("a \\ b") == "a \\\\ b"
    assert escape_little("Hello, world: 50% off!") == "Hello, world: 50% off!"


def test_escape_little_round_trips():
    for text in (TEXT, "a_b*c~d <e> [f] {g} |h| \\i @j (k) #l C#", "über · 🎉 (ok)"):
        escaped = escape_little(text)
        assert unescape_little(escaped) == text
        assert render_little(escaped) == (text, False)
