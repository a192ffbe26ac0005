"""Listening without a network: monitors and feeds (checked, audited, 404 across
organizations), mentions stored exactly once per organization, the feeds claimed by one
worker, retention on a fixed clock, and the pages (who sees what, POST only, CSRF, French).
The RSS source against a local feed server: test_rss.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from config import schedule
from portevoix.accounts.roles import Role
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.listening import services, sources, tasks
from portevoix.listening.models import Feed, ListeningPolicy, Mention, MentionStatus
from tests import factories

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def community(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


@pytest.fixture
def fixed_clock(monkeypatch):
    now = {"value": T0}
    monkeypatch.setattr(services.clock, "now", lambda: now["value"])
    return now


def _monitor(actor, name="Brand", terms=("Acme",), **kwargs):
    return services.monitor_create(
        actor=actor, data=services.MonitorData(name=name, terms=list(terms), **kwargs)
    )


def _entry(
    guid, text, *, when: dt.datetime | None = T0, language="", url="https://news.example.com/a"
):
    return sources.Entry(
        key=sources.entry_key("rss", guid),
        url=url,
        text=text,
        author="jdoe",
        published_at=when,
        language=language,
    )


# --------------------------------------------------------------------------- monitors, feeds


def test_a_monitor_is_cleaned_owned_and_audited(community):
    monitor = _monitor(
        community,
        terms=["  Acme ", "Acme", "", "Road  Runner"],
        exclusions=["acme.com"],
        languages=["fr", "de"],
    )
    assert monitor.terms == ["Acme", "Road Runner"]
    assert (monitor.languages, monitor.owner_id) == (["fr"], community.pk)
    services.monitor_update(
        actor=community,
        monitor=monitor,
        data=services.MonitorData(name="Brand", terms=["Acme", "Wile"], exclusions=[]),
    )
    actions = list(
        AuditEntry.objects.filter(object_type="listening_monitor").values_list("action", flat=True)
    )
    assert sorted(actions) == ["listening.monitor_changed", "listening.monitor_created"]
    with pytest.raises(DomainError) as error:
        _monitor(community, terms=["  ", "!!"])
    assert "terms" in error.value.field_errors


def test_only_the_roles_that_listen_may_manage(member, manager):
    for who in (member, manager):
        with pytest.raises(PermissionDenied):
            _monitor(who)


def test_a_feed_on_a_private_address_is_refused(community, settings):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    for url in ("http://127.0.0.1:8080/feed.xml", "https://10.0.0.1/rss", "ftp://example.com/x"):
        with pytest.raises(DomainError) as error:
            services.feed_create(actor=community, data=services.FeedData(url=url))
        assert "url" in error.value.field_errors
    assert not Feed.objects.exists()


# --------------------------------------------------------------------------- ingestion


def test_a_matching_entry_becomes_one_mention_however_often_it_is_seen(community, fixed_clock):
    brand = _monitor(community, terms=["Acme"])
    other = _monitor(community, name="Rival", terms=["Globex"])
    org_id = community.organization_id
    entries = [
        _entry("1", "Acme and Globex merge?", language="en"),
        _entry("2", "Nothing to see"),
        _entry("3", "Acmeville news"),  # not the word
    ]
    assert services.ingest(organization_id=org_id, network="rss", entries=entries) == 1
    assert services.ingest(organization_id=org_id, network="rss", entries=entries) == 0
    mention = Mention.objects.get()
    assert set(mention.monitors.values_list("pk", flat=True)) == {brand.pk, other.pk}
    assert (mention.network, mention.author, mention.language) == ("rss", "jdoe", "en")
    assert (mention.status, mention.published_at) == (MentionStatus.NEW, T0)
    # The database refuses a second row for the same organization and key (two workers).
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(
            organization_id=org_id,
            key=mention.key,
            network="rss",
            text="again",
            published_at=T0,
            found_at=T0,
        )


def test_a_worker_that_loses_the_race_stores_nothing_and_fails_nothing(
    community, fixed_clock, monkeypatch
):
    _monitor(community)
    entries = [_entry("1", "Acme again")]
    org_id = community.organization_id
    assert services.ingest(organization_id=org_id, network="rss", entries=entries) == 1
    # The other worker's row appears between this worker's look and its insert: the look
    # finds nothing, the unique key refuses the insert, the entry is skipped.
    real_scoped = services.scoped

    def racing(model, organization):
        rows = real_scoped(model, organization)
        return rows.exclude(pk__in=rows.values("pk")) if model is Mention else rows

    monkeypatch.setattr(services, "scoped", racing)
    assert services.ingest(organization_id=org_id, network="rss", entries=entries) == 0
    assert Mention.objects.count() == 1


def test_nothing_is_stored_without_an_active_monitor(community, fixed_clock):
    monitor = _monitor(community)
    services.monitor_update(
        actor=community,
        monitor=monitor,
        data=services.MonitorData(name="Brand", terms=["Acme"], active=False),
    )
    entries = [_entry("1", "Acme again")]
    org_id = community.organization_id
    assert services.ingest(organization_id=org_id, network="rss", entries=entries) == 0
    assert not Mention.objects.exists()


def test_the_same_entry_is_a_mention_in_each_organization_that_watches_it(
    community, outsider, fixed_clock
):
    _monitor(community)
    services.monitor_create(
        actor=outsider, data=services.MonitorData(name="Theirs", terms=["Acme"])
    )
    entries = [_entry("1", "Acme again")]
    for actor in (community, outsider):
        services.ingest(organization_id=actor.organization_id, network="rss", entries=entries)
    assert Mention.objects.count() == 2


def test_a_feed_is_claimed_by_one_worker(community, fixed_clock, monkeypatch):
    feed = services.feed_create(
        actor=community, data=services.FeedData(url="https://127.0.0.1/feed.xml")
    )
    polled: list[int] = []

    def poll(feed: Feed) -> int:
        polled.append(feed.pk)
        return 0

    monkeypatch.setattr(services, "feed_poll", poll)
    stale = Feed.objects.get(pk=feed.pk)  # what a second worker read at the same time
    assert services._claim(Feed.objects.get(pk=feed.pk), T0)
    assert not services._claim(stale, T0)
    feed.refresh_from_db()
    assert feed.next_poll_at == T0 + dt.timedelta(minutes=30)
    assert tasks.poll_feeds.call_local() == 0 and polled == []  # not due any more
    fixed_clock["value"] = T0 + dt.timedelta(minutes=30)
    schedule.listening_poll_feeds.call_local()  # the periodic task
    assert polled == [feed.pk]


# --------------------------------------------------------------------------- retention


def test_mentions_past_the_retention_are_deleted_and_not_stored_again(
    community, outsider, fixed_clock
):
    _monitor(community)
    services.monitor_create(
        actor=outsider, data=services.MonitorData(name="Theirs", terms=["Acme"])
    )
    old = _entry("old", "Acme, 100 days ago", when=T0 - dt.timedelta(days=100))
    recent = _entry("recent", "Acme, 40 days ago", when=T0 - dt.timedelta(days=40))
    for actor in (community, outsider):
        services.ingest(organization_id=actor.organization_id, network="rss", entries=[recent])
    # Older than the default 90 days: not stored at all.
    assert (
        services.ingest(organization_id=community.organization_id, network="rss", entries=[old])
        == 0
    )
    services.retention_set(actor=community, days=30)
    assert ListeningPolicy.objects.get().retention_days == 30
    assert AuditEntry.objects.filter(action="listening.retention_changed").count() == 1
    assert (
        schedule.listening_purge_mentions.call_local() == 1
    )  # ours, 40 > 30 days; theirs keeps 90
    assert list(Mention.objects.values_list("organization_id", flat=True)) == [
        outsider.organization_id
    ]
    assert services.purge_expired() == 0
    fixed_clock["value"] = T0 + dt.timedelta(days=51)
    assert services.purge_expired() == 1
    with pytest.raises(DomainError):
        services.retention_set(actor=community, days=0)


# --------------------------------------------------------------------------- pages


@pytest.fixture
def seeded(community):
    brand = _monitor(community, name="Brand", terms=["Acme"])
    _monitor(community, name="Rival", terms=["Globex"])
    services.ingest(
        organization_id=community.organization_id,
        network="rss",
        entries=[
            _entry("1", "Acme <b>rocks</b>", when=None, url="https://news.example.com/acme"),
            _entry("2", "Globex stumbles", when=None, url="https://news.example.com/globex"),
        ],
    )
    return brand


def test_the_inbox_lists_filters_and_marks_mentions(community, seeded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(community.user)
    page = client.get(reverse("listening:inbox"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Acme &lt;b&gt;rocks&lt;/b&gt;" in html and "Globex stumbles" in html
    assert 'href="https://news.example.com/acme"' in html
    only_brand = client.get(reverse("listening:inbox"), {"monitor": seeded.pk}).content.decode()
    assert "Acme &lt;b&gt;" in only_brand and "Globex stumbles" not in only_brand
    acme = Mention.objects.get(url="https://news.example.com/acme")
    url = reverse("listening:mention_status", args=[acme.pk])
    assert client.post(url, {"status": "handled"}).status_code == 403  # no CSRF token
    client = Client()
    client.force_login(community.user)
    answer = client.post(url, {"status": "handled", "next": "https://evil.example.com/"})
    assert answer.status_code == 302 and answer["Location"] == reverse("listening:inbox")
    acme.refresh_from_db()
    assert acme.status == MentionStatus.HANDLED
    entry = AuditEntry.objects.get(action="listening.mention_status")
    assert (entry.before, entry.after) == ({"status": "new"}, {"status": "handled"})
    new_only = client.get(reverse("listening:inbox")).content.decode()
    assert "Acme &lt;b&gt;" not in new_only  # the inbox shows new mentions by default
    handled = client.get(reverse("listening:inbox"), {"status": "handled"}).content.decode()
    assert "Acme &lt;b&gt;" in handled
    assert client.get(url).status_code == 405


def test_the_pages_are_for_the_listening_roles_and_never_across_organizations(
    community, member, outsider, seeded
):
    mention = Mention.objects.first()
    assert mention is not None
    client = Client()
    client.force_login(member.user)
    for name in ("inbox", "monitors", "feeds"):
        assert client.get(reverse(f"listening:{name}")).status_code == 403, name
    assert client.get(reverse("listening:monitor", args=[seeded.pk])).status_code == 403
    status_url = reverse("listening:mention_status", args=[mention.pk])
    assert client.post(status_url, {"status": "ignored"}).status_code == 403
    client.force_login(outsider.user)
    assert client.get(reverse("listening:inbox")).status_code == 200  # their own, empty
    assert "Acme" not in client.get(reverse("listening:inbox")).content.decode()
    assert client.post(status_url, {"status": "ignored"}).status_code == 404
    assert client.get(reverse("listening:monitor", args=[seeded.pk])).status_code == 404
    assert client.post(reverse("listening:monitor", args=[seeded.pk])).status_code == 404
    mention.refresh_from_db()
    assert mention.status == MentionStatus.NEW


def test_monitors_and_feeds_are_added_and_changed_through_the_pages(community, settings):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = ["news.example.com"]
    client = Client()
    client.force_login(community.user)
    answer = client.post(
        reverse("listening:monitors"),
        {"name": "Brand", "terms": "Acme, Road Runner\nWile", "languages": ["fr"], "active": "on"},
    )
    assert answer.status_code == 302
    monitor = community.organization and services.Monitor.objects.get()
    assert monitor.terms == ["Acme", "Road Runner", "Wile"]
    edit = reverse("listening:monitor", args=[monitor.pk])
    assert "Road Runner" in client.get(edit).content.decode()
    client.post(edit, {"name": "Brand 2", "terms": "Acme", "exclusions": "acme.com"})
    monitor.refresh_from_db()
    assert (monitor.name, monitor.exclusions, monitor.active) == ("Brand 2", ["acme.com"], False)
    refused = client.post(
        reverse("listening:feeds"), {"url": "https://10.1.2.3/rss", "interval_minutes": 30}
    )
    assert refused.status_code == 200 and not Feed.objects.exists()
    client.post(
        reverse("listening:feeds"),
        {"url": "https://news.example.com/rss", "interval_minutes": 15, "active": "on"},
    )
    feed = Feed.objects.get()
    assert (feed.url, feed.interval_minutes, feed.active) == (
        "https://news.example.com/rss",
        15,
        True,
    )
    client.post(reverse("listening:feeds"), {"retention_days": 45})
    assert services.retention_days(community.organization_id) == 45
    assert client.get(reverse("listening:feed", args=[feed.pk])).status_code == 200


def test_the_inbox_in_french(community, seeded):
    client = Client()
    client.force_login(community.user)
    html = client.get(reverse("listening:inbox"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Veille" in html and "Ouvrir l\u2019original" in html
    assert "Open the original" not in html
    feeds = client.get(reverse("listening:feeds"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Les mentions plus anciennes sont supprimées" in feeds
