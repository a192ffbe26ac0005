"""The Facebook (Pages) connector against the local fake of the Graph API
(tests/peers/fake_facebook.py)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.utils import timezone
from django.utils.translation import override

from portevoix.networks import base, get
from portevoix.networks import facebook as facebook_module
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
from portevoix.networks.facebook import FacebookConnector
from tests.peers.fake_facebook import FakeFacebook
from tests.peers.server import FakeApp, serve

pytestmark = pytest.mark.peers

USER = "10001"
PAGE = "5550001"
LINK = "https://pv.test/l/Fb7xQ"


# httpx builds a TLS context for every client (tens of milliseconds); the fake is plain http,
# so the tests hand every client one context made once. Everything else is base.http_client.
TLS = ssl.create_default_context()


@pytest.fixture(autouse=True)
def _one_tls_context(monkeypatch):
    monkeypatch.setattr(base, "http_client", functools.partial(base.http_client, verify=TLS))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeApp, str]]:
    app = FakeApp("facebook")
    with serve(app) as url:
        yield app, url


@pytest.fixture
def fake(server, settings) -> FakeFacebook:
    """A fresh fake Graph API (state, routes and call log) on the module's server."""
    app, url = server
    fake = FakeFacebook(app=app, base_url=url)
    fake.add_user(USER, "Alice Ambassador")
    settings.SOCIAL_ENDPOINTS = {
        "facebook": {
            "authorize": f"https://facebook.test/{fake.version}/dialog/oauth",
            "api": url,
            "version": fake.version,
        }
    }
    return fake


@pytest.fixture
def page_token(fake) -> str:
    return fake.add_page(PAGE, "Acme Corp", admins=(USER,), followers=1500, fans=1400)


@pytest.fixture
def connector() -> FacebookConnector:
    found = get("facebook")
    assert isinstance(found, FacebookConnector)
    return found


def client_for(fake: FakeFacebook) -> ClientCredentials:
    return ClientCredentials(fake.client_id, fake.client_secret, fake.redirect_uri)


def ctx_for(token: str, page_id: str = PAGE) -> ConnectionCtx:
    return ConnectionCtx(
        network="facebook",
        account_id=page_id,
        handle="Acme Corp",
        tokens=TokenSet(access_token=token),
    )


class Saver:
    def __init__(self, fake: FakeFacebook) -> None:
        self.fake = fake
        self.saved: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, state: dict[str, Any]) -> None:
        self.saved.append((len(self.fake.app.calls), dict(state)))


def make_post(saver: Saver, *, text: str = "", link: str = LINK, state: dict | None = None):
    return PostRequest(
        key="f" * 32,
        text=text or f"We are hiring engineers {link}",
        link_url=link,
        state=dict(state or {}),
        save_state=saver,
    )


def form_of(call: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(call.body.decode()).items()}


# --------------------------------------------------------------------------- connecting


def test_personal_profiles_are_not_supported():
    assert FacebookConnector.personal_profiles_supported is False
    with override("en"):
        assert "share dialog" in str(FacebookConnector.personal_profile_note)
    assert "publish_actions" in (facebook_module.__doc__ or "")


def test_authorize_url_asks_for_page_permissions(connector, fake):
    url = connector.authorize_url(client_for(fake), state="xyz")
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://facebook.test/{fake.version}/dialog/oauth"
    )
    assert query == {
        "client_id": fake.client_id,
        "redirect_uri": fake.redirect_uri,
        "state": "xyz",
        "response_type": "code",
        "scope": "pages_show_list,pages_read_engagement,pages_manage_posts,read_insights",
    }


def test_exchange_code_then_long_lived_user_token(connector, fake):
    code = fake.issue_code(USER)
    tokens = connector.exchange_code(client_for(fake), code=code)

    stored = fake.user_tokens[tokens.access_token]
    assert stored.long_lived and stored.user_id == USER
    assert tokens.expires_at is not None
    assert tokens.expires_at - timezone.now() > dt.timedelta(days=59)
    first, second = fake.app.calls
    assert (first.method, first.path) == ("GET", f"/{fake.version}/oauth/access_token")
    assert first.query["code"] == code and first.query["redirect_uri"] == fake.redirect_uri
    assert second.query["grant_type"] == "fb_exchange_token"
    assert not fake.user_tokens[second.query["fb_exchange_token"]].long_lived

    # A code is single use (Graph error 100, subcode 36009): a refusal, not a retry.
    with pytest.raises(PermanentError) as refused:
        connector.exchange_code(client_for(fake), code=code)
    assert not isinstance(refused.value, (AuthError, TransientError))
    assert "36009" in refused.value.detail


def test_exchange_code_with_another_redirect_uri_is_refused(connector, fake):
    code = fake.issue_code(USER)
    client = ClientCredentials(fake.client_id, fake.client_secret, "https://evil.test/cb")
    with pytest.raises(PermanentError) as refused:
        connector.exchange_code(client, code=code)
    assert "36008" in refused.value.detail


def test_accounts_are_pages_with_their_own_tokens(connector, fake, page_token):
    other_token = fake.add_page("5550002", "Acme Labs", admins=(USER,), followers=0, fans=80)
    fake.add_page("5559999", "Not Hers", admins=("20002",), followers=9)
    user_token = fake.user_token(USER)

    accounts = connector.accounts(TokenSet(access_token=user_token, scope="pages_show_list"))

    assert [a.account_id for a in accounts] == [PAGE, "5550002"]
    acme, labs = accounts
    assert acme.kind == "company" and acme.display_name == "Acme Corp"
    assert acme.followers == 1500 and labs.followers == 0
    assert acme.url == f"https://www.facebook.com/{PAGE}"
    assert acme.tokens is not None and acme.tokens.access_token == page_token
    assert acme.tokens.expires_at is None  # Page tokens from a long-lived user token
    assert labs.tokens is not None and labs.tokens.access_token == other_token
    call = fake.app.calls[-1]
    assert call.path == f"/{fake.version}/me/accounts"
    assert call.query["fields"] == "id,name,access_token,followers_count,fan_count,link"


def test_accounts_follow_paging(connector, fake):
    for n in range(130):
        fake.add_page(str(6_000_000 + n), f"Page {n}", admins=(USER,))
    accounts = connector.accounts(TokenSet(access_token=fake.user_token(USER)))
    assert len(accounts) == 130
    assert len({a.account_id for a in accounts}) == 130
    assert [c.query.get("after") for c in fake.app.calls] == [None, "100"]


# --------------------------------------------------------------------------- publishing


def test_publish_to_the_page_feed(connector, fake, page_token):
    saver = Saver(fake)
    result = connector.publish(ctx_for(page_token), make_post(saver))

    [post] = fake.page_posts(PAGE)
    assert result.remote_id == post.post_id and result.remote_id.startswith(f"{PAGE}_")
    assert result.url == f"https://www.facebook.com/{post.post_id}"
    assert post.message == f"We are hiring engineers {LINK}" and post.link == LINK
    call = fake.app.calls[-1]
    assert (call.method, call.path) == ("POST", f"/{fake.version}/{PAGE}/feed")
    assert form_of(call)["access_token"] == page_token
    # Said before the post was sent.
    [(seen_then, state)] = saver.saved
    assert seen_then == 0 and state == {"feed_attempts": 1}


def test_a_user_token_cannot_post_as_the_page(connector, fake, page_token):
    with pytest.raises(AuthError) as refused:
        connector.publish(ctx_for(fake.user_token(USER)), make_post(Saver(fake)))
    assert '"code": 200' in refused.value.detail
    assert fake.page_posts(PAGE) == []


def test_duplicate_of_our_own_post_is_found_again(connector, fake, page_token):
    first = connector.publish(ctx_for(page_token), make_post(Saver(fake)))
    # The same post again (the first answer was lost, say): Facebook answers 506.
    again = connector.publish(ctx_for(page_token), make_post(Saver(fake), state={"x": 1}))
    assert again.remote_id == first.remote_id
    assert len(fake.page_posts(PAGE)) == 1
    assert fake.feed_creations() == 2
    search = fake.app.calls[-1]
    assert (search.method, search.path) == ("GET", f"/{fake.version}/{PAGE}/feed")
    assert search.query["fields"] == "id,message,link,created_time"
    assert search.query["limit"] == "25"


def test_duplicate_that_is_not_ours_is_a_permanent_refusal(connector, fake, page_token):
    post = make_post(Saver(fake), text="Happy holidays!", link="")
    connector.publish(ctx_for(page_token), post)
    with pytest.raises(PermanentError) as refused:
        connector.publish(
            ctx_for(page_token), make_post(Saver(fake), text="Happy holidays!", link="")
        )
    assert "duplicate" in refused.value.user_message
    assert '"code": 506' in refused.value.detail


def test_lost_answer_is_found_by_find_published(connector, fake, page_token):
    fake.add_page("5550003", "Other Page", admins=(USER,))
    saver = Saver(fake)
    fake.fail_next_post_after_create()
    with pytest.raises(TransientError):
        connector.publish(ctx_for(page_token), make_post(saver))

    # Another post of the Page, newer, not ours.
    connector.publish(ctx_for(page_token), make_post(Saver(fake), link="https://pv.test/l/Other"))

    retry = make_post(Saver(fake), state=saver.saved[-1][1])
    found = connector.find_published(ctx_for(page_token), retry)
    ours = [p for p in fake.page_posts(PAGE) if LINK in p.message]
    assert len(ours) == 1
    assert found is not None and found.remote_id == ours[0].post_id
    assert found.url == f"https://www.facebook.com/{ours[0].post_id}"


def test_find_published_finds_nothing_before_any_post(connector, fake, page_token):
    assert connector.find_published(ctx_for(page_token), make_post(Saver(fake))) is None
    assert fake.app.calls[-1].query["limit"] == "25"


def test_policy_block_368_is_permanent(connector, fake, page_token):
    fake.storm(1, code=368)
    with pytest.raises(PermanentError) as refused:
        connector.publish(ctx_for(page_token), make_post(Saver(fake)))
    assert not isinstance(refused.value, (AuthError, TransientError))
    assert "policy" in refused.value.user_message


# --------------------------------------------------------------------------- errors


def test_expired_token_190_is_an_auth_error(connector, fake, page_token):
    user_token = fake.user_token(USER)
    fake.expire_token(user_token)
    with pytest.raises(AuthError) as refused:
        connector.accounts(TokenSet(access_token=user_token))
    assert refused.value.status == 400
    error = json.loads(refused.value.detail)["error"]
    assert (error["code"], error["error_subcode"]) == (190, 463)

    fake.expire_token(page_token)
    with pytest.raises(AuthError):
        connector.publish(ctx_for(page_token), make_post(Saver(fake)))
    with pytest.raises(AuthError):
        connector.fetch_followers(ctx_for(page_token))
    assert fake.page_posts(PAGE) == []


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_rate_limit_codes_are_rate_limited(connector, fake, page_token, code):
    fake.storm(3, code=code)
    for _ in range(3):
        with pytest.raises(RateLimited) as limited:
            connector.publish(ctx_for(page_token), make_post(Saver(fake)))
        assert limited.value.status == 400
    assert fake.page_posts(PAGE) == []
    assert connector.publish(ctx_for(page_token), make_post(Saver(fake))).remote_id


def test_page_rate_limit_storm_gives_the_time_to_regain_access(connector, fake, page_token):
    fake.storm(2, code=80001, regain_minutes=7)
    with pytest.raises(RateLimited) as limited:
        connector.fetch_followers(ctx_for(page_token))
    assert limited.value.retry_at is not None
    wait = limited.value.retry_at - timezone.now()
    assert dt.timedelta(minutes=6) < wait <= dt.timedelta(minutes=7)
    # A user-token call only has X-App-Usage: no time given.
    with pytest.raises(RateLimited) as limited:
        connector.accounts(TokenSet(access_token=fake.user_token(USER)))
    assert limited.value.retry_at is None


# --------------------------------------------------------------------------- what came back


def test_metrics_from_summaries_shares_and_insights(connector, fake, page_token):
    shared = connector.publish(ctx_for(page_token), make_post(Saver(fake)))
    quiet = connector.publish(
        ctx_for(page_token), make_post(Saver(fake), link="https://pv.test/l/Quiet")
    )
    fake.set_metrics(shared.remote_id, reactions=42, comments=6, shares=3, impressions=987)
    fake.set_metrics(quiet.remote_id, reactions=1, comments=0, shares=0, impressions=10)

    metrics = connector.fetch_metrics(
        ctx_for(page_token), [shared.remote_id, quiet.remote_id, f"{PAGE}_404"]
    )

    assert set(metrics) == {shared.remote_id, quiet.remote_id}
    m = metrics[shared.remote_id]
    assert (m.likes, m.replies, m.reposts, m.impressions) == (42, 6, 3, 987)
    assert m.quotes is None
    q = metrics[quiet.remote_id]
    assert (q.likes, q.replies, q.reposts, q.impressions) == (1, 0, 0, 10)
    read = next(c for c in fake.app.calls if c.path == f"/{fake.version}/{shared.remote_id}")
    assert read.query["fields"] == (
        "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    )
    insights = next(
        c for c in fake.app.calls if c.path == f"/{fake.version}/{shared.remote_id}/insights"
    )
    assert insights.query["metric"] == "post_impressions"


def test_followers(connector, fake, page_token):
    fake.set_followers(PAGE, 2024)
    assert connector.fetch_followers(ctx_for(page_token)) == 2024
    call = fake.app.calls[-1]
    assert call.path == f"/{fake.version}/{PAGE}" and call.query["fields"] == "followers_count"


# --------------------------------------------------------------------------- the fake itself


def test_fake_sends_usage_headers(fake, page_token):
    user = httpx.get(
        f"{fake.base_url}/{fake.version}/me", params={"access_token": fake.user_token(USER)}
    )
    assert json.loads(user.headers["x-app-usage"])["call_count"] >= 0
    page = httpx.get(
        f"{fake.base_url}/{fake.version}/{PAGE}",
        params={"access_token": page_token, "fields": "followers_count"},
    )
    usage = json.loads(page.headers["x-business-use-case-usage"])
    assert usage[PAGE][0]["type"] == "pages"
    assert page.json() == {"id": PAGE, "followers_count": 1500}
    bad = httpx.get(f"{fake.base_url}/{fake.version}/{PAGE}", params={"access_token": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 190
    assert "invalid_token" in bad.headers["www-authenticate"]
