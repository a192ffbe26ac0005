"""OAuth through our pages for LinkedIn, Threads and Facebook Pages against their fakes, then
one post through the engine: the connection works end to end, not only the connector."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from portevoix.publishing import engine, services
from portevoix.publishing.models import Connection, PostState
from portevoix.publishing.tokens import unseal
from tests.peers.fake_facebook import FakeFacebook
from tests.peers.fake_linkedin import FakeLinkedIn
from tests.peers.fake_threads import FakeThreads
from tests.peers.server import serve

pytestmark = [pytest.mark.peers, pytest.mark.django_db]


def callback(network: str) -> str:
    return f"http://testserver/me/accounts/callback/{network}/"


@pytest.fixture
def browser(ambassador, settings) -> Client:
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    client = Client()
    client.force_login(ambassador.user)
    return client


def start(browser: Client, network: str) -> dict[str, str]:
    response = browser.post(f"/me/accounts/connect/{network}/")
    assert response.status_code == 302, response.content.decode()[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()} | {
        "_url": response["Location"]
    }


def publish_once(ambassador, connection: Connection, item) -> str:
    post = services.post_create(
        actor=ambassador,
        draft=services.PostDraft(connection_id=connection.pk, item_id=item.pk),
    )
    assert engine.post_publish(post_id=post.pk) == "published"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    return post.remote_id


@pytest.fixture
def linkedin(settings) -> Iterator[FakeLinkedIn]:
    fake = FakeLinkedIn(redirect_uris=(callback("linkedin"),))
    with serve(fake.app) as url:
        settings.SOCIAL_ENDPOINTS = {
            "linkedin": {
                "authorize": f"{url}/oauth/v2/authorization",
                "token": f"{url}/oauth/v2/accessToken",
                "api": url,
            }
        }
        settings.SOCIAL_APPS = {
            "linkedin": {"client_id": fake.client_id, "client_secret": fake.client_secret}
        }
        yield fake


def test_linkedin_connect_and_publish(browser, ambassador, item, linkedin):
    query = start(browser, "linkedin")
    assert {"openid", "profile", "w_member_social"} <= set(query["scope"].split())
    answer = httpx.get(query["_url"], follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    response = browser.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert response.status_code == 302
    connection = Connection.objects.get(membership=ambassador, network="linkedin")
    assert connection.account_id == f"urn:li:person:{linkedin.member.sub}"
    remote = publish_once(ambassador, connection, item)
    assert [p.urn for p in linkedin.posts] == [remote]
    assert linkedin.posts[0].author == connection.account_id


@pytest.fixture
def threads(settings) -> Iterator[FakeThreads]:
    fake = FakeThreads(redirect_uri=callback("threads"))
    fake.add_user("7701", "alice", "Alice Ambassador")
    with serve(fake.app) as url:
        fake.base_url = url
        settings.SOCIAL_ENDPOINTS = {
            "threads": {
                "authorize": "https://threads.test/oauth/authorize",
                "api": url,
                "version": fake.version,
            }
        }
        settings.SOCIAL_APPS = {
            "threads": {"client_id": fake.client_id, "client_secret": fake.client_secret}
        }
        yield fake


def test_threads_connect_long_lived_and_publish(browser, ambassador, item, threads):
    query = start(browser, "threads")
    assert query["redirect_uri"] == callback("threads")
    response = browser.get(
        "/me/accounts/callback/threads/",
        {"state": query["state"], "code": threads.issue_code("7701")},
    )
    assert response.status_code == 302
    connection = Connection.objects.get(membership=ambassador, network="threads")
    tokens = unseal(connection.tokens_encrypted)
    # The short-lived token was exchanged for a long-lived one (60 days).
    assert threads.tokens[tokens.access_token].long_lived
    assert connection.token_expires_at is not None
    remote = publish_once(ambassador, connection, item)
    assert [m.media_id for m in threads.user_media("7701")] == [remote]


@pytest.fixture
def facebook(settings) -> Iterator[FakeFacebook]:
    fake = FakeFacebook(redirect_uri=callback("facebook"))
    fake.add_user("10001", "Alice Ambassador")
    fake.add_page("5550001", "Lumen Énergie", admins=("10001",), followers=1500, fans=1400)
    with serve(fake.app) as url:
        fake.base_url = url
        settings.SOCIAL_ENDPOINTS = {
            "facebook": {
                "authorize": "https://facebook.test/v23.0/dialog/oauth",
                "api": url,
                "version": fake.version,
            }
        }
        settings.SOCIAL_APPS = {
            "facebook": {"client_id": fake.client_id, "client_secret": fake.client_secret}
        }
        yield fake


def test_facebook_connects_pages_not_profiles(browser, ambassador, item, facebook):
    query = start(browser, "facebook")
    assert "pages_manage_posts" in query["scope"]
    response = browser.get(
        "/me/accounts/callback/facebook/",
        {"state": query["state"], "code": facebook.issue_code("10001")},
    )
    assert response.status_code == 302
    connection = Connection.objects.get(membership=ambassador, network="facebook")
    assert (connection.account_id, connection.kind, connection.followers) == (
        "5550001",
        "company",
        1500,
    )
    remote = publish_once(ambassador, connection, item)
    assert [p.post_id for p in facebook.page_posts("5550001")] == [remote]
    page = browser.get("/me/accounts/").content.decode()
    assert "personal profiles" in page
