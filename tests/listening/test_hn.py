"""The Hacker News source against a local fake of the Algolia search API on 127.0.0.1
(tests/peers/server.py): stories and comments newer than the cursor, one search per monitor
term (or the source's own query), each matching hit a mention once across two polls (the
second search carries `numericFilters=created_at_i>N`), HTML reduced to text, a private
address refused when not allowed, an API error kept on the source without stopping the
poll of the others; and the feeds page that adds such a source (French labels, 403, 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.listening import services, sources
from portevoix.listening.models import Feed, FeedKind, Mention
from tests import factories
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
T1 = int(dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC).timestamp())

HITS: list[dict[str, Any]] = [
    {
        "objectID": "4101",
        "created_at_i": T1 + 60,
        "title": "Acme ships late again",
        "story_text": None,
        "author": "pg",
        "url": "https://news.example.com/acme",
    },
    {
        "objectID": "4102",
        "created_at_i": T1 + 30,
        "title": None,
        "comment_text": "<p>I work at <i>Acme</i> &amp; the delays are real.</p>",
        "author": "jdoe",
    },
    {
        "objectID": "4103",
        "created_at_i": T1,
        "title": "Something else entirely",
        "author": "someone",
    },
]
LATER: dict[str, Any] = {
    "objectID": "4104",
    "created_at_i": T1 + 600,
    "title": "Ask HN: Is Acme hiring?",
    "story_text": "Curious.",
    "author": "asker",
}


class HackerNews:
    def __init__(self) -> None:
        self.hits = list(HITS)
        self.fail = False
        self.app = FakeApp("hn")
        self.app.route("GET", "/api/v1/search_by_date")(self.search)

    def search(self, req: Req) -> Resp:
        if self.fail:
            return Resp(500, {"message": "internal"})
        newer = 0
        if filters := req.query.get("numericFilters", ""):
            assert filters.startswith("created_at_i>")
            newer = int(filters.removeprefix("created_at_i>"))
        words = req.query["query"].casefold().split()
        hits = [
            h
            for h in self.hits
            if h["created_at_i"] > newer
            and any(
                w in f"{h.get('title') or ''} {h.get('comment_text') or ''}".casefold()
                for w in words
            )
        ]
        hits.sort(key=lambda h: -h["created_at_i"])
        size, page = int(req.query["hitsPerPage"]), int(req.query.get("page", "0"))
        pages = max(1, -(-len(hits) // size))
        return Resp(200, {"hits": hits[page * size : (page + 1) * size], "nbPages": pages})


@pytest.fixture
def hn(settings):
    server = HackerNews()
    with serve(server.app) as url:
        settings.LISTENING_HN_API = f"{url}/api/v1"
        yield server


@pytest.fixture
def cm(org, monkeypatch):
    monkeypatch.setattr(services.clock, "now", lambda: NOW)
    return factories.make_member(org, "community_manager", email="cm@acme.test")


def test_hits_are_read_as_text_with_the_cursor(hn):
    source = sources.HackerNewsSource()
    first = source.fetch(sources.FetchState(url="", query="acme"))
    story, comment = first.entries
    assert first.cursor == str(T1 + 60)
    assert story.key == sources.entry_key("hackernews", "hn:4101")
    assert (story.text, story.author, story.url) == (
        "Acme ships late again",
        "pg",
        "https://news.ycombinator.com/item?id=4101",
    )
    assert story.published_at == dt.datetime(2026, 12, 7, 7, 1, tzinfo=dt.UTC)
    assert comment.text == "I work at Acme & the delays are real."  # HTML reduced to text
    (call,) = hn.app.calls
    assert call.query["tags"] == "(story,comment)" and "numericFilters" not in call.query
    again = source.fetch(sources.FetchState(url="", query="acme", cursor=first.cursor))
    assert again.entries == [] and again.cursor == first.cursor  # nothing newer: kept
    assert hn.app.calls[-1].query["numericFilters"] == f"created_at_i>{T1 + 60}"


def test_a_burst_of_more_than_a_page_between_two_polls_is_read_whole(hn):
    source = sources.HackerNewsSource()
    first = source.fetch(sources.FetchState(url="", query="acme"))
    start = T1 + 60
    hn.hits += [
        {**HITS[0], "objectID": str(9000 + n), "title": f"Acme {n}", "created_at_i": start + n + 1}
        for n in range(250)
    ]
    calls = len(hn.app.calls)
    again = source.fetch(sources.FetchState(url="", query="acme", cursor=first.cursor))
    assert sorted(e.text for e in again.entries) == sorted(f"Acme {n}" for n in range(250))
    assert again.cursor == str(start + 250)
    assert [c.query.get("page", "0") for c in hn.app.calls[calls:]] == ["0", "1", "2"]


def test_two_polls_store_each_matching_hit_once(hn, cm):
    services.monitor_create(
        actor=cm, data=services.MonitorData(name="Acme", terms=["acme", "road runner"])
    )
    feed = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.HACKERNEWS, interval_minutes=5)
    )
    assert (feed.url, feed.query, str(feed)) == ("", "", "Hacker News")
    assert services.poll_due_feeds() == 2  # "Something else entirely" is not stored
    # One search per term of the active monitors.
    assert sorted(c.query["query"] for c in hn.app.calls) == ["acme", "road runner"]
    assert sorted(Mention.objects.values_list("network", "author")) == [
        ("hackernews", "jdoe"),
        ("hackernews", "pg"),
    ]
    feed.refresh_from_db()
    assert (feed.cursor, feed.last_result) == (str(T1 + 60), "ok")
    hn.hits.append(LATER)
    calls = len(hn.app.calls)
    assert services.feed_poll(feed) == 1
    assert {c.query["numericFilters"] for c in hn.app.calls[calls:]} == {f"created_at_i>{T1 + 60}"}
    # Even with the cursor lost, a hit already stored is not stored again.
    Feed.objects.filter(pk=feed.pk).update(cursor="")
    feed.refresh_from_db()
    assert services.feed_poll(feed) == 0
    assert Mention.objects.count() == 3
    assert Mention.objects.get(author="asker").text == "Ask HN: Is Acme hiring?\nCurious."
    feed.refresh_from_db()
    assert feed.cursor == str(T1 + 600)


def test_an_api_error_is_kept_and_the_other_sources_are_polled(hn, cm):
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=["acme"]))
    failing = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.HACKERNEWS, query="acme")
    )
    other = services.feed_create(
        actor=cm, data=services.FeedData(kind=FeedKind.HACKERNEWS, query="acme delays")
    )
    Feed.objects.filter(pk=failing.pk).update(next_poll_at=NOW - dt.timedelta(minutes=1))
    hn.fail = True
    assert services.feed_poll(Feed.objects.get(pk=failing.pk)) == 0
    hn.fail = False
    Feed.objects.filter(pk=failing.pk).update(cursor="", last_result="")
    # A poll run where the first source fails: the second is still read.
    calls = []

    def search(req: Req) -> Resp:
        calls.append(req.query["query"])
        return (
            Resp(500, {"message": "internal"})
            if req.query["query"] == "acme"
            else HackerNews.search(hn, req)
        )

    hn.app.routes.clear()
    hn.app.route("GET", "/api/v1/search_by_date")(search)
    assert services.poll_due_feeds() == 2
    assert calls == ["acme", "acme delays"]
    failing.refresh_from_db()
    other.refresh_from_db()
    assert (failing.last_result, failing.cursor) == ("The feed answered 500.", "")
    assert (other.last_result, other.cursor) == ("ok", str(T1 + 60))


def test_a_private_api_address_is_refused_when_not_allowed(hn, settings):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    source = sources.HackerNewsSource()
    with pytest.raises(sources.SourceError, match="https"):
        source.fetch(sources.FetchState(url="", query="acme"))
    settings.LISTENING_HN_API = settings.LISTENING_HN_API.replace("http://", "https://")
    with pytest.raises(sources.SourceError, match="not allowed"):
        source.fetch(sources.FetchState(url="", query="acme"))
    assert hn.app.calls == []  # refused before any request


def test_the_feeds_page_adds_a_hacker_news_search(cm, member, outsider):
    client = Client()
    client.force_login(cm.user)
    page = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Recherche Hacker News" in page and "Type de source" in page
    assert "Hacker News search" not in page
    answer = client.post(
        reverse("listening:feeds"),
        {"kind": "hackernews", "query": "  acme   corp ", "interval_minutes": 15, "active": "on"},
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    assert (feed.kind, feed.url, feed.query, feed.interval_minutes) == (
        "hackernews",
        "",
        "acme corp",
        15,
    )
    listing = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Hacker News · acme corp" in listing
    twice = client.post(
        reverse("listening:feeds"),
        {"kind": "hackernews", "query": "acme corp", "interval_minutes": 15},
    )
    assert twice.status_code == 200 and Feed.objects.count() == 1
    edit = reverse("listening:feed", args=[feed.pk])
    client.post(edit, {"query": "acme", "interval_minutes": 30, "active": "on"})
    feed.refresh_from_db()
    assert (feed.kind, feed.query, feed.interval_minutes) == ("hackernews", "acme", 30)
    client.force_login(member.user)
    assert client.get(reverse("listening:feeds")).status_code == 403
    assert client.post(reverse("listening:feeds"), {"kind": "hackernews"}).status_code == 403
    client.force_login(outsider.user)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"query": "x", "interval_minutes": 30}).status_code == 404
    feed.refresh_from_db()
    assert feed.query == "acme"
