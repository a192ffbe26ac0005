"""The RSS source against a local feed server on 127.0.0.1 (tests/peers/server.py) serving
feed files written here: RSS 2.0 and Atom, a malformed one, the conditional GET (ETag and
Last-Modified sent back, a 304 reads nothing), a redirect not followed, a feed too large,
and a private address refused when it is not allowed. Then a feed polled twice through the
service stores each matching entry once."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.listening import services, sources
from portevoix.listening.models import Feed, Mention
from tests import factories
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

ETAG = '"v1"'
LAST_MODIFIED = "Mon, 07 Dec 2026 08:00:00 GMT"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Le Journal de la logistique</title><language>fr-FR</language>
<link>https://journal.example.com/</link>
<item><title>Acme : encore des retards de livraison</title>
<link>https://journal.example.com/acme-retards</link>
<guid>https://journal.example.com/?p=101</guid>
<description>&lt;p&gt;Des clients se plaignent des
&lt;b&gt;d&#233;lais&lt;/b&gt;.&lt;/p&gt;</description>
<author>redaction@journal.example.com (La r&#233;daction)</author>
<pubDate>Mon, 07 Dec 2026 07:30:00 +0000</pubDate></item>
<item><title>Rien &#224; voir</title><link>https://journal.example.com/autre</link>
<guid>https://journal.example.com/?p=102</guid>
<pubDate>Mon, 07 Dec 2026 07:00:00 +0000</pubDate></item>
<item><title>Acme sans lien</title><link>javascript:alert(1)</link>
<guid isPermaLink="false">tag:journal,102b</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Industry blog</title><id>urn:uuid:blog</id><updated>2026-12-07T06:00:00Z</updated>
<entry><title>Why ACME's late deliveries matter</title><id>urn:uuid:entry-1</id>
<link href="https://blog.example.com/acme"/><updated>2026-12-07T06:00:00Z</updated>
<author><name>Jane Doe</name></author><summary>A look at the numbers.</summary></entry>
</feed>"""

# A bare ampersand, an unclosed entry, no end of the document.
MALFORMED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & co</title>
<item><title>Acme still readable</title><link>https://broken.example.com/1</link></item>
<item><title>unclosed"""


class FeedServer:
    def __init__(self) -> None:
        self.app = FakeApp("feeds")
        self.app.route("GET", "/rss.xml")(self.rss)
        self.app.route("GET", "/atom.xml")(self.atom)
        self.app.route("GET", "/broken.xml")(lambda req: Resp(200, MALFORMED.encode()))
        self.app.route("GET", "/moved.xml")(
            lambda req: Resp(301, b"", {"Location": "http://10.0.0.1/rss.xml"})
        )
        self.app.route("GET", "/huge.xml")(lambda req: Resp(200, b"<rss>" + b" " * (3 << 20)))

    def rss(self, req: Req) -> Resp:
        if req.headers.get("if-none-match") == ETAG:
            return Resp(304, None, {"ETag": ETAG})
        return Resp(200, RSS.encode(), {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def atom(self, req: Req) -> Resp:
        if req.headers.get("if-modified-since") == LAST_MODIFIED:
            return Resp(304, None)
        return Resp(200, ATOM.encode(), {"Last-Modified": LAST_MODIFIED})


@pytest.fixture
def feeds():
    server = FeedServer()
    with serve(server.app) as url:
        yield server, url


def test_rss_and_atom_are_read_and_asked_again_with_their_validators(feeds):
    server, url = feeds
    rss = sources.RssSource()
    first = rss.fetch(sources.FetchState(url=f"{url}/rss.xml"))
    assert (first.not_modified, first.etag, first.last_modified) == (False, ETAG, LAST_MODIFIED)
    acme, other, no_link = first.entries
    assert (
        acme.text == "Acme : encore des retards de livraison\nDes clients se plaignent des délais."
    )
    assert (acme.url, acme.language) == ("https://journal.example.com/acme-retards", "fr")
    assert acme.published_at == dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.UTC)
    assert acme.key == sources.entry_key("rss", "https://journal.example.com/?p=101")
    assert "rédaction" in acme.author
    assert other.text == "Rien à voir"
    assert no_link.url == ""  # a link that is not http(s) is not kept
    again = rss.fetch(
        sources.FetchState(url=f"{url}/rss.xml", etag=first.etag, last_modified=first.last_modified)
    )
    assert again.not_modified and again.entries == [] and again.etag == ETAG
    assert server.app.calls[-1].headers["if-none-match"] == ETAG
    assert server.app.calls[-1].headers["if-modified-since"] == LAST_MODIFIED

    atom = rss.fetch(sources.FetchState(url=f"{url}/atom.xml"))
    (entry,) = atom.entries
    assert (entry.author, entry.language, entry.url) == (
        "Jane Doe",
        "en",
        "https://blog.example.com/acme",
    )
    assert rss.fetch(
        sources.FetchState(url=f"{url}/atom.xml", last_modified=atom.last_modified)
    ).not_modified


def test_a_malformed_feed_gives_what_can_be_read(feeds):
    _server, url = feeds
    result = sources.RssSource().fetch(sources.FetchState(url=f"{url}/broken.xml"))
    assert [e.text for e in result.entries][:1] == ["Acme still readable"]


def test_redirects_large_bodies_and_private_addresses_are_refused(feeds, settings):
    server, url = feeds
    rss = sources.RssSource()
    with pytest.raises(sources.SourceError, match="301"):
        rss.fetch(sources.FetchState(url=f"{url}/moved.xml"))
    with pytest.raises(sources.SourceError, match="too large"):
        rss.fetch(sources.FetchState(url=f"{url}/huge.xml"))
    calls = len(server.app.calls)
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(sources.SourceError, match="https"):
        rss.fetch(sources.FetchState(url=f"{url}/rss.xml"))
    secure = url.replace("http://", "https://")
    with pytest.raises(sources.SourceError, match="not allowed"):
        rss.fetch(sources.FetchState(url=f"{secure}/rss.xml"))
    assert len(server.app.calls) == calls  # refused before any request


def test_a_feed_polled_twice_stores_each_matching_entry_once(feeds, org, monkeypatch):
    server, url = feeds
    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services.clock, "now", lambda: now)
    cm = factories.make_member(org, "community_manager", email="cm@acme.test")
    services.monitor_create(
        actor=cm, data=services.MonitorData(name="Acme", terms=["acme"], languages=["fr"])
    )
    services.monitor_create(
        actor=cm,
        data=services.MonitorData(name="Livraison", terms=["délai de livraison", "retard"]),
    )
    feed = services.feed_create(actor=cm, data=services.FeedData(url=f"{url}/rss.xml"))
    assert services.poll_due_feeds() == 2  # "Rien à voir" matches no monitor
    mention = Mention.objects.get(
        key=sources.entry_key("rss", "https://journal.example.com/?p=101")
    )
    assert mention.url == "https://journal.example.com/acme-retards"
    assert Mention.objects.get(url="").text == "Acme sans lien"  # kept, without its link
    assert sorted(mention.monitors.values_list("name", flat=True)) == ["Acme", "Livraison"]
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified, feed.last_result) == (ETAG, LAST_MODIFIED, "ok")
    # Polled again (a second worker, or the next run): a 304, nothing new.
    assert services.feed_poll(feed) == 0
    feed.refresh_from_db()
    assert feed.last_result == "not_modified"
    # Even with the validators lost, the same entries are not stored twice.
    Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
    feed.refresh_from_db()
    assert services.feed_poll(feed) == 0
    assert Mention.objects.count() == 2
    assert server.app.count("GET", "/rss.xml") == 3
