"""The listening pages a community manager opens (the vigilance inbox with mentions, the
monitors, a monitor, the feeds with the retention, a feed, the alerts and their thresholds,
the week, the inbox filtered) on a phone (390x844) and a
desktop (1366x900), in English and French: no page scrolls sideways, axe-core finds no
serious or critical violation; and a mention is marked handled from the phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from portevoix.accounts.roles import Role
from portevoix.listening import alerts, services, sources
from portevoix.listening.models import Feed, Mention, MentionStatus, Monitor
from tests import factories
from tests.browser.axe import axe_source, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = (
    "Acme : encore des retards de livraison dans tout le Grand Ouest, les clients de la "
    "région s\u2019impatientent et le font savoir sur les réseaux sociaux depuis lundi matin"
)


@pytest.fixture
def community(db: Any, settings: Any) -> Any:
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [
        *settings.SOCIAL_ALLOWED_PRIVATE_HOSTS,
        "journal.example.com",
    ]
    org = factories.make_org("Société Générale des Eaux et Forêts du Grand Ouest")
    cm = factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    services.monitor_create(
        actor=cm,
        data=services.MonitorData(
            name="Marque et dirigeants", terms=["Acme", "délai de livraison"], languages=["fr"]
        ),
    )
    services.monitor_create(
        actor=cm, data=services.MonitorData(name="Concurrent", terms=["Globex"])
    )
    services.feed_create(
        actor=cm,
        data=services.FeedData(
            url="https://journal.example.com/categories/logistique-et-transport/feed.xml",
            title="Le Journal de la logistique",
        ),
    )
    services.ingest(
        organization_id=org.pk,
        network="rss",
        entries=[
            sources.Entry(
                key=sources.entry_key("rss", f"guid-{n}"),
                url=f"https://journal.example.com/articles/2026/12/07/acme-retards-{n}",
                text=LONG if n else "Globex et Acme : la bataille des délais",
                author="La rédaction du Journal de la logistique",
                published_at=None,
                language="fr",
            )
            for n in range(3)
        ],
    )
    return cm


def test_the_listening_pages_on_a_phone_and_a_desktop(new_page, live_server, community):
    axe_source()
    paths = [
        "/listening/",
        "/listening/monitors/",
        f"/listening/monitors/{Monitor.objects.order_by('pk').first().pk}/",  # type: ignore[union-attr]
        "/listening/feeds/",
        f"/listening/feeds/{Feed.objects.get().pk}/",
        "/listening/alerts/",
        "/listening/alerts/settings/",
        "/listening/summary/",
        "/listening/?status=&sentiment=negative&language=fr&mine=1",
    ]
    monitor = Monitor.objects.order_by("pk").first()
    assert monitor is not None
    hour = alerts.hour_start(timezone.now())
    alerts._raise(monitor, hour, alerts.Verdict("volume", 12, 1.0), timezone.now())
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
        if label == "phone":
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
            page.goto(f"{live_server.url}/listening/")
            page.locator("article.mention").first.get_by_role(
                "button", name="Mark as Handled"
            ).click()
            page.wait_for_url(f"{live_server.url}/listening/")
            assert page.locator("article.mention").count() == 2
    assert not found, "\n".join(found)
    assert Mention.objects.filter(status=MentionStatus.HANDLED).count() == 1


def test_the_source_form_shows_what_the_chosen_kind_needs(new_page, live_server, community):
    page = new_page(viewport={"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/login/?next=/listening/feeds/")
    page.fill("input[name=username]", "cm@acme.test")
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/listening/feeds/")

    def shown() -> list[str]:
        names = ["url", "stream", "query", "token"]
        return [n for n in names if page.locator(f"#id_{n}").is_visible()]

    page.select_option("#id_kind", "rss")
    assert shown() == ["url"]
    page.select_option("#id_kind", "mastodon_stream")
    assert shown() == ["url", "stream", "query", "token"]
    page.select_option("#id_kind", "mastodon_home")
    assert shown() == ["url", "token"]
    page.select_option("#id_kind", "hackernews")
    assert shown() == ["query"]
    assert page.locator("#id_token").is_disabled()  # hidden: not sent
    page.fill("#id_query", "acme logistics")
    page.get_by_role("button", name="Add the source").click()
    page.wait_for_url(f"{live_server.url}/listening/feeds/")
    assert Feed.objects.filter(kind="hackernews", query="acme logistics").exists()
