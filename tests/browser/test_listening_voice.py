"""The share of voice and benchmark pages (decision 0028) a community manager opens, on a
phone (390x844) and a desktop (1366x900), in English and French: no page scrolls sideways,
axe-core finds no serious or critical violation; the bars are drawn; and the account's page
with its removal form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.listening import services, services_benchmarks, sources
from portevoix.listening.models import BenchmarkAccount, BenchmarkSnapshot, Monitor
from tests import factories
from tests.browser.axe import axe_source, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def community(db: Any) -> Any:
    org = factories.make_org("Société Générale des Eaux et Forêts du Grand Ouest")
    cm = factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    for name, terms, category in (
        ("Marque Acme et ses dirigeants", ["Acme"], "brand"),
        ("Globex Corporation internationale", ["Globex"], "competitor"),
        ("Initech", ["Initech"], "competitor"),
    ):
        monitor = services.monitor_create(
            actor=cm, data=services.MonitorData(name=name, terms=terms)
        )
        Monitor.objects.filter(pk=monitor.pk).update(category=category)
    now = clock.now()
    texts = ["Acme et Globex", "Acme encore", "Initech", "Globex", "Acme"]
    for network in ("rss", "mastodon", "hackernews"):
        services.ingest(
            organization_id=org.pk,
            network=network,
            entries=[
                sources.Entry(
                    key=sources.entry_key(network, f"{n}-{d}"),
                    url=f"https://news.example.com/{network}/{n}-{d}",
                    text=text,
                    author="someone",
                    published_at=now - dt.timedelta(days=d, hours=n),
                    language="fr",
                )
                for d in range(0, 30, 3)
                for n, text in enumerate(texts)
            ],
        )
    for own, label, handle in (
        (True, "Acme sur Bluesky, le compte officiel du groupe", "acme.bsky.social"),
        (False, "Globex", "globex.bsky.social"),
    ):
        account = services_benchmarks.benchmark_create(
            actor=cm,
            data=services_benchmarks.BenchmarkData(
                kind="bluesky", handle=handle, label=label, own=own
            ),
        )
        for days_ago, followers in ((0, 15_230), (7, 15_100), (30, 14_000)):
            BenchmarkSnapshot.objects.create(
                organization=org,
                account=account,
                day=(now - dt.timedelta(days=days_ago)).date(),
                followers=followers,
                posts_total=1234,
                posts_7d=12,
                engagement_per_post=41.5,
                best_posts=[
                    {
                        "url": f"https://bsky.app/profile/{handle}/post/3kabc{n}",
                        "text": "Une très longue publication sur les délais de livraison " * 3,
                        "engagement": 120 - n,
                    }
                    for n in range(3)
                ],
                taken_at=now,
            )
    return cm


def test_the_voice_and_benchmark_pages_on_a_phone_and_a_desktop(new_page, live_server, community):
    axe_source()
    account = BenchmarkAccount.objects.order_by("pk").first()
    assert account is not None
    paths = [
        "/listening/voice/",
        "/listening/voice/?days=90&unit=week",
        "/listening/benchmarks/",
        f"/listening/benchmarks/{account.pk}/",
    ]
    found = []
    for label, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1366, "height": 900}),
    ):
        page = new_page(viewport=viewport)
        page.goto(f"{live_server.url}/login/?next={paths[0]}")
        page.fill("input[name=username]", "cm@acme.test")
        page.fill("input[name=password]", factories.PASSWORD)
        page.locator("#login-form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}{paths[0]}")
        found += page_problems(page, live_server.url, paths, label)
        page.goto(f"{live_server.url}/listening/voice/")
        assert page.locator("svg.sov-bar rect").count() > 10
        if label == "desktop":
            assert page.locator("td.bar svg.sov-bar").first.is_visible()
        else:
            assert not page.locator("td.bar svg.sov-bar").first.is_visible()
    assert not found, "\n".join(found)
