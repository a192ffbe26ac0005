"""Benchmarks of public accounts (decision 0028) against local servers on 127.0.0.1
(tests/peers/server.py): a Mastodon instance following the documented API (account lookup,
an account's statuses, no token) and a blog's RSS feed; the figures against a hand-computed
fixture, one snapshot per account and day (a second run asks nothing), the changes against
7 and 30 days before, the program's ambassadors through the analytics rollups, private
addresses refused, and the pages (who may read, who may change, GET/POST, French).

Mastodon (clock 2026-03-20 12:00 UTC; the last 7 days start 13 March 12:00):
    105  20 March  10 favourites + 2 boosts + 1 reply = 13
    104  a boost of someone else's status: left out
    103  18 March   3 + 0 + 2 = 5
    102  14 March   0
    101  10 March  older than 7 days: left out
  3 posts, (13 + 5 + 0) / 3 = 6.0 engagement per post; best 105, 103, 102.
  Topics: "lyon" (105 and 103: 13 + 5 = 18), "#hydrogen" (105 and 102: 13 + 0 = 13); the
  word "hydrogen" is in 103 only, "plant", "storage"... in one post each: not topics.
The blog: entries of 19 and 16 March (and 1 March, older): 2 posts, no engagement; topic
  "usine" (in both titles: 2 posts).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.permissions import can
from portevoix.accounts.roles import Role
from portevoix.analytics.rollups import rollup_add
from portevoix.core.errors import DomainError
from portevoix.governance.models import AuditEntry
from portevoix.listening import selectors_benchmarks, services, services_benchmarks, tasks
from portevoix.listening.models import BenchmarkAccount, BenchmarkSnapshot
from tests import factories
from tests.peers.server import FakeApp, Req, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 20)


def status(status_id, when, fav, boosts, replies, content="", **extra):
    return {
        "id": str(status_id),
        "created_at": when,
        "url": f"https://social.example/@acme/{status_id}",
        "content": content or f"<p>Post <b>{status_id}</b></p>",
        "favourites_count": fav,
        "reblogs_count": boosts,
        "replies_count": replies,
        "reblog": None,
        **extra,
    }


STATUSES = [
    status(105, "2026-03-20T08:00:00.000Z", 10, 2, 1, "<p>Our #Hydrogen plant in Lyon opens</p>"),
    status(104, "2026-03-19T08:00:00.000Z", 50, 50, 50, reblog={"id": "9"}),
    status(
        103, "2026-03-18T08:00:00.000Z", 3, 0, 2, "<p>Hydrogen storage: the LYON team explains</p>"
    ),
    status(102, "2026-03-14T00:00:00.000Z", 0, 0, 0, "<p>Post 102 about #hydrogen</p>"),
    status(101, "2026-03-10T08:00:00.000Z", 100, 0, 0),
]

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme blog</title>
<item><title>Notre usine en mars</title><link>https://blog.example.com/mars</link>
<guid>b3</guid><pubDate>Thu, 19 Mar 2026 09:00:00 +0000</pubDate></item>
<item><title>Visite de l\u2019usine</title><link>https://blog.example.com/usine</link>
<guid>b2</guid><pubDate>Mon, 16 Mar 2026 09:00:00 +0000</pubDate></item>
<item><title>Vieux billet</title><link>https://blog.example.com/vieux</link>
<guid>b1</guid><pubDate>Sun, 01 Mar 2026 09:00:00 +0000</pubDate></item>
</channel></rss>"""


class Peers:
    def __init__(self) -> None:
        self.app = FakeApp("benchmarks")
        self.app.route("GET", "/api/v1/accounts/lookup")(self.lookup)
        self.app.route("GET", "/api/v1/accounts/{id}/statuses")(self.statuses)
        self.app.route("GET", "/blog.xml")(lambda req: Resp(200, RSS.encode()))

    def lookup(self, req: Req) -> Resp:
        assert not req.bearer()  # public: no token
        if req.query.get("acct") != "acme":
            return Resp(404, {"error": "Record not found"})
        return Resp(
            200, {"id": "77", "acct": "acme", "followers_count": 1234, "statuses_count": 567}
        )

    def statuses(self, req: Req) -> Resp:
        assert req.params["id"] == "77" and not req.bearer()
        assert req.query["exclude_reblogs"] == "true"
        return Resp(200, STATUSES)


@pytest.fixture
def peers():
    server = Peers()
    with serve(server.app) as url:
        yield server, url


@pytest.fixture
def clock(monkeypatch):
    now = {"value": NOW}
    monkeypatch.setattr(services.clock, "now", lambda: now["value"])
    return now


@pytest.fixture
def cm(org, clock):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


def _add(actor, kind, handle, label, own=False):
    return services_benchmarks.benchmark_create(
        actor=actor,
        data=services_benchmarks.BenchmarkData(kind=kind, handle=handle, label=label, own=own),
    )


def test_snapshots_against_hand_computed_figures_once_a_day(peers, cm, clock):
    server, url = peers
    masto = _add(cm, "mastodon", f"{url}/@acme", "Acme on Mastodon", own=True)
    blog = _add(cm, "blog", f"{url}/blog.xml", "Initech's blog")
    assert masto.handle == f"{url}/@acme"
    assert services_benchmarks.snapshots_due() == 2
    snap = BenchmarkSnapshot.objects.get(account=masto)
    assert (snap.day, snap.followers, snap.posts_total, snap.posts_7d) == (TODAY, 1234, 567, 3)
    assert snap.engagement_per_post == 6.0
    assert snap.best_posts == [
        {
            "url": "https://social.example/@acme/105",
            "text": "Our #Hydrogen plant in Lyon opens",
            "engagement": 13,
            "topics": ["lyon", "#hydrogen"],
        },
        {
            "url": "https://social.example/@acme/103",
            "text": "Hydrogen storage: the LYON team explains",
            "engagement": 5,
            "topics": ["lyon"],
        },
        {
            "url": "https://social.example/@acme/102",
            "text": "Post 102 about #hydrogen",
            "engagement": 0,
            "topics": ["#hydrogen"],
        },
    ]
    assert snap.topics == [
        {"term": "lyon", "posts": 2, "engagement": 18},
        {"term": "#hydrogen", "posts": 2, "engagement": 13},
    ]
    post = BenchmarkSnapshot.objects.get(account=blog)
    assert (post.followers, post.posts_total, post.posts_7d, post.engagement_per_post) == (
        None,
        None,
        2,
        None,
    )
    assert [(p["url"], p["topics"]) for p in post.best_posts] == [
        ("https://blog.example.com/mars", ["usine"]),
        ("https://blog.example.com/usine", ["usine"]),
    ]
    assert post.topics == [{"term": "usine", "posts": 2, "engagement": None}]
    calls = len(server.app.calls)
    # the same day again: nothing asked, nothing added
    assert services_benchmarks.snapshots_due() == 0
    assert tasks.snapshot_benchmarks.call_local() == 0
    assert services_benchmarks.snapshot_take(masto) == snap
    assert len(server.app.calls) == calls and BenchmarkSnapshot.objects.count() == 2
    masto.refresh_from_db()
    assert masto.last_result == "ok"
    clock["value"] = NOW + dt.timedelta(days=1)
    assert services_benchmarks.snapshots_due() == 2
    assert sorted(BenchmarkSnapshot.objects.values_list("day", flat=True)) == [
        TODAY,
        TODAY,
        TODAY + dt.timedelta(days=1),
        TODAY + dt.timedelta(days=1),
    ]


def test_changes_against_7_and_30_days_before(peers, cm):
    _server, url = peers
    masto = _add(cm, "mastodon", f"{url}/@acme", "Acme", own=True)
    paused = _add(cm, "blog", f"{url}/blog.xml", "Blog")
    org = cm.organization_id
    for day, followers, posts, epp in (
        (dt.date(2026, 2, 18), 1000, 1, 1.0),  # 30 days before
        (dt.date(2026, 3, 13), 1200, 2, 4.0),  # 7 days before
        (dt.date(2026, 3, 15), 1210, 9, 9.0),  # after that day: not the one compared
    ):
        BenchmarkSnapshot.objects.create(
            organization_id=org,
            account=masto,
            day=day,
            followers=followers,
            posts_7d=posts,
            engagement_per_post=epp,
            taken_at=NOW,
        )
    services_benchmarks.snapshot_take(masto)
    rows = selectors_benchmarks.benchmark_rows(membership=cm)
    assert [r.account.label for r in rows] == ["Acme", "Blog"]  # ours first
    row = rows[0]
    assert row.latest is not None and row.latest.day == TODAY
    assert (row.followers_7.delta, row.followers_30.delta) == (34, 234)
    assert (row.posts_7.delta, row.engagement_7.delta, row.engagement_7.direction) == (1, 2.0, "up")
    none = rows[1]
    assert none.latest is None and none.followers_7.delta is None and none.best_posts == []
    assert paused.active


def test_the_program_line_comes_from_the_analytics_rollups(cm, manager, admin):
    item = factories.make_item(admin)
    for day, shares, reach, clicks in (
        (dt.date(2026, 3, 19), 1, 500, 3),
        (dt.date(2026, 3, 10), 2, 100, 0),
    ):
        rollup_add(
            organization_id=cm.organization_id,
            day=day,
            item_id=item.pk,
            campaign_id=None,
            membership_id=admin.pk,
            network="linkedin",
            shares=shares,
            potential_reach=reach,
            clicks=clicks,
        )
    line = selectors_benchmarks.ambassadors(membership=cm, today=TODAY)
    assert line is not None and (line.start, line.end) == (dt.date(2026, 3, 14), TODAY)
    assert (line.shares.now, line.shares.before, line.shares.delta) == (1, 2, -1)
    assert (line.reach.now, line.reach.before, line.clicks.now) == (500, 100, 3)
    if not can(manager, "analytics.view_org"):
        assert selectors_benchmarks.ambassadors(membership=manager, today=TODAY) is None


def test_private_addresses_are_refused(peers, cm, settings):
    server, url = peers
    account = _add(cm, "mastodon", f"{url}/@acme", "Acme")
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    for kind, handle, message in (
        ("mastodon", f"{url}/@other", "https"),
        ("mastodon", "acme@127.0.0.1", "not allowed"),
        ("blog", "https://10.0.0.1/feed.xml", "not allowed"),
        ("blog", "file:///etc/passwd", "not valid"),
        ("bluesky", "not a handle!", "Bluesky"),
    ):
        with pytest.raises(DomainError) as refused:
            _add(cm, kind, handle, "X")
        assert message in str(refused.value.field_errors["handle"]), handle
    assert services_benchmarks.snapshot_take(account) is None  # refused before any request
    account.refresh_from_db()
    assert "https" in account.last_result and server.app.calls == []
    assert not BenchmarkSnapshot.objects.exists()


def test_accounts_are_checked_and_audited(cm):
    account = _add(cm, "bluesky", "@Acme.BSKY.social", "  Acme  ")
    assert (account.handle, account.label) == ("acme.bsky.social", "Acme")
    with pytest.raises(DomainError):
        _add(cm, "bluesky", "acme.bsky.social", "Again")
    services_benchmarks.benchmark_update(
        actor=cm,
        account=account,
        data=services_benchmarks.BenchmarkData(kind="blog", handle="x", label="Acme", own=True),
    )
    account.refresh_from_db()
    assert (account.kind, account.handle, account.own) == ("bluesky", "acme.bsky.social", True)
    services_benchmarks.benchmark_delete(actor=cm, account=account)
    assert not BenchmarkAccount.objects.exists()
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "listening.benchmark_created",
        "listening.benchmark_changed",
        "listening.benchmark_deleted",
    ]


def test_the_pages(peers, cm, member, outsider):
    _server, url = peers
    client = Client()
    client.force_login(cm.user)
    page_url = reverse("listening:benchmarks")
    answer = client.post(
        page_url,
        {
            "kind": "mastodon",
            "handle": f"{url}/@acme",
            "label": "Acme",
            "own": "on",
            "active": "on",
        },
    )
    assert answer.status_code == 302
    account = BenchmarkAccount.objects.get()
    services_benchmarks.snapshots_due()
    page = client.get(page_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Comparatifs" in page and "Nos ambassadeurs" in page and "Le nôtre" in page
    assert "1234" in page and "6,0" in page and "Our #Hydrogen plant in Lyon opens" in page
    assert "Sujets de la semaine" in page and "Sujets : lyon, #hydrogen" in page
    assert '<span class="badge">lyon</span> <span class="muted">2 publications, 18</span>' in page
    bad = client.post(
        page_url, {"kind": "bluesky", "handle": "x y", "label": "Z"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert bad.status_code == 200 and "Indiquez un identifiant Bluesky" in bad.content.decode()
    edit = reverse("listening:benchmark", args=[account.pk])
    delete = reverse("listening:benchmark_delete", args=[account.pk])
    assert client.get(edit).status_code == 200
    assert client.get(delete).status_code == 405
    assert client.put(page_url).status_code == 405
    client.force_login(member.user)
    assert client.get(page_url).status_code == 403
    assert (
        client.post(page_url, {"kind": "blog", "handle": f"{url}/b", "label": "B"}).status_code
        == 403
    )
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(outsider.user)
    assert client.get(edit).status_code == 404
    assert client.post(delete).status_code == 404
    assert "Acme" not in client.get(page_url).content.decode().split("<main", 1)[-1]
    client.force_login(cm.user)
    client.post(edit, {"label": "Acme SA", "own": "on"})
    account.refresh_from_db()
    assert (account.label, account.own, account.active) == ("Acme SA", True, False)
    assert client.post(delete).status_code == 302
    assert not BenchmarkAccount.objects.exists() and not BenchmarkSnapshot.objects.exists()


def test_engagement_figures_are_plain_numbers():
    from portevoix.listening.benchmarks import Figures, Post

    when = NOW
    figures = Figures(posts=[Post("u1", "a", 1, when), Post("u2", "b", 2, when)])
    assert figures.engagement_per_post == 1.5 and Decimal(str(figures.engagement_per_post))
