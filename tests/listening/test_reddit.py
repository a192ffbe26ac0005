"""The Reddit source (decision 0032) against a local fake of Reddit's OAuth API on 127.0.0.1
(tests/peers/fake_reddit.py): off until the organization enters its own Reddit app, the
secret sealed at rest and never shown back, the application-only token asked once and
cached, a poll storing each matching post once and the next one only what is newer
(`before` paging, 100 at a time), an anchor removed at Reddit, refused credentials, the
rate limit's back-off, removing the app pausing the Reddit feeds; role checks and form
errors on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portevoix.listening import reddit, services, services_reddit
from portevoix.listening.models import Feed, FeedKind, Mention, RedditApp
from tests import factories
from tests.peers.fake_reddit import FakeReddit
from tests.peers.server import serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
T1 = NOW.timestamp() - 3600
USER_AGENT = "web:com.acme.listening:v1.0 (by /u/acme_team)"


@pytest.fixture
def fake(settings):
    cache.clear()
    server = FakeReddit()
    with serve(server.auth) as auth_url, serve(server.api) as api_url:
        settings.LISTENING_REDDIT_AUTH = auth_url
        settings.LISTENING_REDDIT_API = api_url
        yield server
    cache.clear()


@pytest.fixture
def cm(org, monkeypatch):
    monkeypatch.setattr(services.clock, "now", lambda: NOW)
    return factories.make_member(org, "community_manager", email="cm@acme.test")


def connect(actor, fake: FakeReddit, secret: str | None = None) -> RedditApp:
    return services_reddit.app_save(
        actor=actor,
        data=services_reddit.AppData(
            client_id=fake.client_id,
            user_agent=USER_AGENT,
            client_secret=fake.client_secret if secret is None else secret,
        ),
    )


def reddit_feed(actor, query: str = "acme", subreddit: str = "") -> Feed:
    return services.feed_create(
        actor=actor,
        data=services.FeedData(kind=FeedKind.REDDIT, query=query, subreddit=subreddit),
    )


def test_the_kind_is_offered_only_with_the_organizations_own_app(fake, cm):
    client = Client()
    client.force_login(cm.user)
    page = client.get(reverse("listening:feeds")).content.decode()
    assert 'value="reddit"' not in page and "Reddit is off" in page
    refused = client.post(
        reverse("listening:feeds"), {"kind": "reddit", "query": "acme", "interval_minutes": 30}
    )
    assert refused.status_code == 200 and not Feed.objects.exists()
    with pytest.raises(services.DomainError):  # the service refuses too
        reddit_feed(cm)
    connect(cm, fake)
    page = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'value="reddit"' in page and "Recherche Reddit" in page
    answer = client.post(
        reverse("listening:feeds"),
        {"kind": "reddit", "query": " acme  ", "subreddit": "/r/france", "interval_minutes": 15},
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    assert (feed.kind, feed.url, feed.query, feed.subreddit, str(feed)) == (
        "reddit",
        "",
        "acme",
        "france",
        "r/france · acme",
    )
    Feed.objects.filter(pk=feed.pk).update(cursor="t3_abc:1")
    edit = reverse("listening:feed", args=[feed.pk])
    assert "r/france" in client.get(edit).content.decode()
    client.post(edit, {"query": "acme", "subreddit": "r/Paris", "interval_minutes": 30})
    feed.refresh_from_db()
    assert (feed.kind, feed.subreddit, feed.cursor) == ("reddit", "Paris", "")  # afresh


def test_the_secret_is_sealed_never_shown_and_audited_without_it(fake, cm, client):
    client.force_login(cm.user)
    answer = client.post(
        reverse("listening:reddit"),
        {
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "user_agent": USER_AGENT,
        },
    )
    assert answer.status_code == 302
    row = RedditApp.objects.get()
    assert fake.client_secret not in row.client_secret_sealed
    assert services_reddit.crypto.decrypt(row.client_secret_sealed) == fake.client_secret
    page = client.get(reverse("listening:reddit")).content.decode()
    assert fake.client_secret not in page and fake.client_id in page
    assert "A secret is saved" in page
    # Saved again without a secret: the saved one stays.
    client.post(
        reverse("listening:reddit"),
        {"client_id": fake.client_id, "client_secret": "", "user_agent": USER_AGENT + " "},
    )
    row.refresh_from_db()
    assert services_reddit.crypto.decrypt(row.client_secret_sealed) == fake.client_secret
    from portevoix.governance.models import AuditEntry

    events = AuditEntry.objects.filter(action="listening.reddit_saved")
    assert events.count() == 1
    assert fake.client_secret not in str(list(events.values("before", "after")))


def test_form_errors_and_roles(fake, cm, member, outsider, client):
    client.force_login(cm.user)
    answer = client.post(
        reverse("listening:reddit"),
        {"client_id": "a b", "client_secret": "", "user_agent": "curl/8.0"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and not RedditApp.objects.exists()
    assert "identifiant client" in page.lower() and "/u/" in page
    connect(cm, fake)
    feed_errors = client.post(
        reverse("listening:feeds"),
        {"kind": "reddit", "query": "", "subreddit": "", "interval_minutes": 30},
    )
    assert feed_errors.status_code == 200 and not Feed.objects.exists()
    bad_sub = client.post(
        reverse("listening:feeds"),
        {"kind": "reddit", "query": "acme", "subreddit": "no spaces!", "interval_minutes": 30},
    )
    assert bad_sub.status_code == 200 and not Feed.objects.exists()
    feed = reddit_feed(cm)
    client.force_login(member.user)
    assert client.get(reverse("listening:reddit")).status_code == 403
    assert client.post(reverse("listening:reddit_remove")).status_code == 403
    assert RedditApp.objects.filter(organization=cm.organization).exists()
    client.force_login(outsider.user)
    assert client.get(reverse("listening:feed", args=[feed.pk])).status_code == 404
    # The outsider's settings page is their own organization's: ours stays untouched.
    page = client.get(reverse("listening:reddit")).content.decode()
    assert fake.client_id not in page and "No Reddit app is saved" in page
    client.post(reverse("listening:reddit_remove"))
    assert RedditApp.objects.filter(organization=cm.organization).exists()
    assert client.get(reverse("listening:reddit_remove")).status_code == 405


def test_a_poll_stores_matching_posts_once_and_then_only_newer_ones(fake, cm):
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    connect(cm, fake)
    fake.post("Acme ships late again", T1, text="It is the third week **running**.", author="jdoe")
    fake.post("Acme & friends", T1 + 60)
    fake.post("Acme is nothing here", T1 + 120, text="", author="[deleted]")
    feed = reddit_feed(cm)
    assert services.poll_due_feeds() == 3
    assert fake.grants == 1
    (call,) = fake.api.calls
    assert call.query["sort"] == "new" and call.query["limit"] == "100"
    assert call.headers["user-agent"] == USER_AGENT
    assert call.headers["authorization"].startswith("bearer ")
    feed.refresh_from_db()
    newest = fake.posts[-1]
    assert (feed.cursor, feed.last_result) == (f"{newest.name}:{int(T1 + 120)}", "ok")
    mention = Mention.objects.get(author="u/jdoe")
    assert mention.network == "reddit"
    assert mention.text == "Acme ships late again\nIt is the third week **running**."
    assert mention.url == f"https://www.reddit.com/r/france/comments/{fake.posts[0].id36}/post/"
    assert mention.published_at == dt.datetime.fromtimestamp(T1, tz=dt.UTC)
    assert mention.language == "en"  # guessed as for the other sources
    assert Mention.objects.get(text="Acme is nothing here").author == ""
    # Nothing new: the next poll asks for what is newer than the cursor, stores nothing.
    assert services.feed_poll(feed) == 0
    assert fake.api.calls[1].query["before"] == newest.name
    later = fake.post("Acme opens in Lyon", T1 + 600, author="lyon")
    fake.post("Something else", T1 + 700)
    calls = len(fake.api.calls)
    assert services.feed_poll(feed) == 1
    assert fake.api.calls[calls].query["before"] == newest.name
    assert Mention.objects.count() == 4 and Mention.objects.filter(author="u/lyon").exists()
    feed.refresh_from_db()
    assert feed.cursor.startswith(later.name + ":")
    assert fake.grants == 1  # the token was cached
    # A token Reddit no longer accepts (revoked, expired early) is asked for again, once.
    fake.tokens.clear()
    fake.post("Acme again", T1 + 800)
    assert services.feed_poll(feed) == 1 and fake.grants == 2
    credentials = services_reddit.credentials_for(cm.organization_id)
    assert credentials is not None and fake.client_secret not in repr(credentials)
    # Even with the cursor lost, a post already stored is not stored again.
    Feed.objects.filter(pk=feed.pk).update(cursor="")
    feed.refresh_from_db()
    assert services.feed_poll(feed) == 0
    assert Mention.objects.count() == 5


def test_more_than_a_page_is_read_with_before_and_a_removed_anchor_is_survived(fake, cm):
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    connect(cm, fake)
    first = fake.post("Acme one", T1)
    feed = reddit_feed(cm)
    assert services.feed_poll(feed) == 1
    for n in range(150):
        fake.post(f"Acme news {n}", T1 + 10 + n)
    calls = len(fake.api.calls)
    assert services.feed_poll(feed) == 150
    pages = [c.query for c in fake.api.calls[calls:]]
    # The 100 just newer than the cursor, then the 50 newer than the newest of those.
    assert [p["before"] for p in pages] == [first.name, fake.posts[100].name]
    feed.refresh_from_db()
    assert feed.cursor.startswith(fake.posts[-1].name + ":")
    # The newest post seen is removed at Reddit: `before` it answers nothing for ever; the
    # newer posts are still found, from the top of the listing down to the cursor's time.
    fake.posts.remove(fake.posts[-1])
    fake.post("Acme after the removal", T1 + 900, author="late")
    assert services.feed_poll(feed) == 1
    assert Mention.objects.filter(author="u/late").exists()
    feed.refresh_from_db()
    assert feed.cursor.startswith(fake.posts[-1].name + ":")


def test_refused_credentials_are_said_on_the_feed(fake, cm):
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    connect(cm, fake, secret="wrong-secret-value")
    fake.post("Acme", T1)
    feed = reddit_feed(cm)
    assert services.poll_due_feeds() == 0
    feed.refresh_from_db()
    assert "refused the organization" in feed.last_result and feed.cursor == ""
    assert fake.api.calls == [] and fake.grants == 0
    assert "wrong-secret-value" not in feed.last_result


def test_the_rate_limit_backs_off_until_the_reset(fake, cm):
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    connect(cm, fake)
    fake.post("Acme", T1)
    feed = reddit_feed(cm)
    other = reddit_feed(cm, query="acme corp")
    fake.storm(1)
    fake.reset = 3000  # 50 minutes: longer than the feeds' interval (30)
    services.feed_poll(feed)
    feed.refresh_from_db()
    assert feed.last_result.startswith("Reddit's rate limit is reached")
    assert feed.next_poll_at == NOW + dt.timedelta(seconds=3000)
    assert reddit.waiting_until(cm.organization_id) is not None
    # The limit is the app's: the organization's other Reddit feed waits without asking.
    calls = len(fake.api.calls)
    services.feed_poll(other)
    other.refresh_from_db()
    assert len(fake.api.calls) == calls and other.next_poll_at == NOW + dt.timedelta(seconds=3000)
    assert Mention.objects.count() == 0
    # Nothing left in the window after a good answer: what was read is kept, then it waits.
    cache.delete(reddit.wait_key(cm.organization_id))
    fake.remaining = 1
    assert services.feed_poll(feed) == 1
    feed.refresh_from_db()
    assert feed.last_result.startswith("Reddit's rate limit") and feed.cursor
    assert feed.next_poll_at == NOW + dt.timedelta(seconds=3000)


def test_removing_the_app_pauses_the_reddit_feeds_with_the_reason(fake, cm, client):
    connect(cm, fake)
    feed = reddit_feed(cm)
    hn = services.feed_create(actor=cm, data=services.FeedData(kind=FeedKind.HACKERNEWS))
    client.force_login(cm.user)
    answer = client.post(reverse("listening:reddit_remove"))
    assert answer.status_code == 302
    assert not RedditApp.objects.exists()
    feed.refresh_from_db()
    hn.refresh_from_db()
    assert not feed.active and feed.last_result == services_reddit.PAUSED
    assert hn.active
    page = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "application Reddit" in page and 'value="reddit"' not in page
    # A poll of it, were it due, says Reddit is off without any request.
    calls = len(fake.api.calls) + len(fake.auth.calls)
    with translation.override("en"):
        services.feed_poll(feed)
    feed.refresh_from_db()
    assert "Reddit is off" in feed.last_result
    assert len(fake.api.calls) + len(fake.auth.calls) == calls
