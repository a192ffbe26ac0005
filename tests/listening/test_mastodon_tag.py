"""The Mastodon hashtag source against a local fake instance on 127.0.0.1
(tests/peers/server.py): the public timeline of a hashtag without a token, statuses newer
than the cursor (the second request carries `min_id`: oldest page first, so a burst of
more than a page between two polls is read whole), HTML reduced to text, the author's
handle and the status's language kept, boosts left out, each matching status a mention once
across two polls; a private instance refused when not allowed, an error (500) kept on the
source without stopping the poll of the others; and the feeds page that adds such a source
(French labels, 403, 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.listening import services, sources
from portevoix.listening.models import Feed, FeedKind, Mention
from tests import factories
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def status(status_id: int, content: str, *, acct="alice@social.example", language="fr", **extra):
    return {
        "id": str(status_id),
        "created_at": "2026-12-07T08:00:00.000Z",
        "url": f"https://social.example/@alice/{status_id}",
        "uri": f"https://social.example/users/alice/statuses/{status_id}",
        "content": content,
        "spoiler_text": "",
        "language": language,
        "account": {"acct": acct, "id": "7"},
        "reblog": None,
        **extra,
    }


STATUSES = [
    status(
        110003,
        "<p>Encore un retard chez <a href='https://x.example'>#<span>Acme</span></a> "
        "&amp; personne ne r\u00e9pond.</p>",
    ),
    status(110002, "<p>Rien \u00e0 voir ici</p>", acct="bob"),
    status(110001, "<p>Acme boosted</p>", reblog={"id": "9"}),
    status(110000, "<p>Acme in English</p>", acct="carol@other.example", language="en"),
]


class Instance:
    def __init__(self) -> None:
        self.statuses = list(STATUSES)
        self.fail_tags: set[str] = set()
        self.app = FakeApp("mastodon")
        self.app.route("GET", "/api/v1/timelines/tag/{tag}")(self.timeline)

    def timeline(self, req: Req) -> Resp:
        assert not req.bearer()  # a public timeline: no token sent
        if req.params["tag"] in self.fail_tags:
            return Resp(500, {"error": "boom"})
        limit = int(req.query["limit"])
        if "min_id" in req.query:  # the statuses just after min_id (newest first), as Mastodon
            after = int(req.query["min_id"])
            newer = sorted(
                (s for s in self.statuses if int(s["id"]) > after), key=lambda s: int(s["id"])
            )
            return Resp(200, list(reversed(newer[:limit])))
        return Resp(200, self.statuses[:limit])


@pytest.fixture
def instance():
    server = Instance()
    with serve(server.app) as url:
        yield server, url


@pytest.fixture
def cm(org, monkeypatch):
    monkeypatch.setattr(services.clock, "now", lambda: NOW)
    return factories.make_member(org, "community_manager", email="cm@acme.test")


def test_statuses_are_read_as_text_with_the_cursor(instance):
    server, url = instance
    source = sources.MastodonTagSource()
    first = source.fetch(sources.FetchState(url=url, query="acme"))
    assert first.cursor == "110003"
    french, other, english = first.entries  # the boost is left out
    host = url.split("://", 1)[1]
    assert french.key == sources.entry_key("mastodon", f"mastodon:{host}:110003")
    assert french.text == "Encore un retard chez #Acme & personne ne r\u00e9pond."
    assert (french.author, french.language, french.url) == (
        "alice@social.example",
        "fr",
        "https://social.example/@alice/110003",
    )
    assert french.published_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    assert (other.author, english.language) == ("bob", "en")
    (call,) = server.app.calls
    assert call.path == "/api/v1/timelines/tag/acme"
    assert call.query == {"limit": "40"}
    again = source.fetch(sources.FetchState(url=url, query="acme", cursor=first.cursor))
    assert again.entries == [] and again.cursor == "110003"
    assert server.app.calls[-1].query == {"limit": "40", "min_id": "110003"}


def test_two_polls_store_each_matching_status_once(instance, cm):
    server, url = instance
    services.monitor_create(
        actor=cm, data=services.MonitorData(name="Acme", terms=["acme"], languages=["fr"])
    )
    feed = services.feed_create(
        actor=cm,
        data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=f"{url}/about", query="#acme"),
    )
    assert (feed.url, feed.query) == (url, "acme")  # the instance alone, the tag without #
    assert services.poll_due_feeds() == 1  # not "Rien à voir", not the boost, not English
    mention = Mention.objects.get()
    assert (mention.network, mention.author, mention.language) == (
        "mastodon",
        "alice@social.example",
        "fr",
    )
    feed.refresh_from_db()
    assert (feed.cursor, feed.last_result) == ("110003", "ok")
    server.statuses.insert(0, status(110004, "<p>Acme, <b>encore</b></p>", acct="dan"))
    assert services.feed_poll(feed) == 1
    assert server.app.calls[-1].query["min_id"] == "110003"
    Feed.objects.filter(pk=feed.pk).update(cursor="")  # the cursor lost: nothing twice
    feed.refresh_from_db()
    assert services.feed_poll(feed) == 0
    assert sorted(Mention.objects.values_list("text", flat=True)) == [
        "Acme, encore",
        "Encore un retard chez #Acme & personne ne r\u00e9pond.",
    ]
    feed.refresh_from_db()
    assert feed.cursor == "110004"


def test_a_burst_of_more_than_a_page_between_two_polls_is_read_whole(instance):
    server, url = instance
    source = sources.MastodonTagSource()
    first = source.fetch(sources.FetchState(url=url, query="acme"))
    burst = [status(120000 + n, f"<p>Acme {n}</p>") for n in range(100)]  # 2.5 pages
    server.statuses = list(reversed(burst)) + server.statuses
    calls = len(server.app.calls)
    again = source.fetch(sources.FetchState(url=url, query="acme", cursor=first.cursor))
    assert sorted(e.text for e in again.entries) == sorted(f"Acme {n}" for n in range(100))
    assert again.cursor == "120099"
    assert [c.query["min_id"] for c in server.app.calls[calls:]] == [
        "110003",
        "120039",
        "120079",
    ]


def test_an_error_is_kept_and_the_other_sources_are_polled(instance, cm):
    server, url = instance
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    failing = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=url, query="broken")
    )
    working = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=url, query="acme")
    )
    Feed.objects.filter(pk=failing.pk).update(next_poll_at=NOW - dt.timedelta(minutes=1))
    server.fail_tags.add("broken")
    assert services.poll_due_feeds() == 2
    assert [c.path for c in server.app.calls] == [
        "/api/v1/timelines/tag/broken",
        "/api/v1/timelines/tag/acme",
    ]
    failing.refresh_from_db()
    working.refresh_from_db()
    assert (failing.last_result, failing.cursor) == ("The feed answered 500.", "")
    assert (working.last_result, working.cursor) == ("ok", "110003")


def test_a_private_instance_is_refused_when_not_allowed(instance, cm, settings):
    server, url = instance
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    source = sources.MastodonTagSource()
    with pytest.raises(sources.SourceError, match="https"):
        source.fetch(sources.FetchState(url=url, query="acme"))
    secure = url.replace("http://", "https://")
    with pytest.raises(sources.SourceError, match="not allowed"):
        source.fetch(sources.FetchState(url=secure, query="acme"))
    assert server.app.calls == []  # refused before any request
    with pytest.raises(services.DomainError) as refused:
        services.feed_create(
            actor=cm,
            data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=secure, query="acme"),
        )
    assert set(refused.value.field_errors) == {"url"}
    assert not Feed.objects.exists()


def test_the_feeds_page_adds_a_mastodon_hashtag(instance, cm, member, outsider):
    _server, url = instance
    client = Client()
    client.force_login(cm.user)
    page = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mot-dièse Mastodon" in page and "Recherche ou mot-dièse" in page
    assert "Mastodon hashtag" not in page
    bad = client.post(
        reverse("listening:feeds"),
        {"kind": "mastodon_tag", "url": url, "query": "two words", "interval_minutes": 15},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert bad.status_code == 200 and "Indiquez un mot-dièse" in bad.content.decode()
    answer = client.post(
        reverse("listening:feeds"),
        {"kind": "mastodon_tag", "url": url, "query": "#Acme", "interval_minutes": 15},
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    assert (feed.kind, feed.url, feed.query, feed.active) == ("mastodon_tag", url, "Acme", False)
    listing = client.get(reverse("listening:feeds")).content.decode()
    assert f"#Acme · {url.split('://', 1)[1]}" in listing and "Mastodon hashtag" in listing
    edit = reverse("listening:feed", args=[feed.pk])
    assert "Mot-dièse Mastodon" in client.get(edit, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    Feed.objects.filter(pk=feed.pk).update(cursor="110003")
    client.post(edit, {"url": url, "query": "acmecorp", "interval_minutes": 15, "active": "on"})
    feed.refresh_from_db()
    assert (feed.kind, feed.query, feed.cursor, feed.active) == (
        "mastodon_tag",
        "acmecorp",
        "",  # another hashtag starts afresh
        True,
    )
    client.force_login(member.user)
    assert client.get(reverse("listening:feeds")).status_code == 403
    assert client.get(edit).status_code == 403
    client.force_login(outsider.user)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"url": url, "query": "x", "interval_minutes": 30}).status_code == 404
    feed.refresh_from_db()
    assert feed.query == "acmecorp"
