"""Share of voice (decision 0028) against a hand-computed fixture: the rollup kept on ingest
equals a recount of the mentions, the shares per period, day, week, network and sentiment,
retention (the counts of purged mentions stay, a recount never erases them), the rebuild
command, and the page (who sees it, GET only, French, the link from the inbox).

The fixture (clock 2026-03-20 12:00 UTC, Europe/Paris; 19 and 20 March are a Thursday and
a Friday of the week of 16 March):

    #  network   local day   text              monitors          sentiment (set later)
    1  rss       19 March    acme is great     Brand             positive
    2  rss       19 March    acme vs initech   Brand, Initech    negative
    3  rss       20 March    initech news      Initech           -
    4  rss       20 March    logistics         Trend (ignored)   -
    5  mastodon  20 March    acme launch       Brand             positive
    6  mastodon  20 March    umbrella down     Umbrella          -
    7  mastodon  20 March    acme again        Brand             -
    8  mastodon  8 February  acme old          Brand             -

Last 30 days: Brand 4 (1, 2, 5, 7), Initech 2 (2, 3), Umbrella 1 (6), 7 in all:
4/7 = 57.1 %, 2/7 = 28.6 %, 1/7 = 14.3 %. Last 90 days: 5, 2, 1 of 8: 62.5, 25.0, 12.5 %.
19 March: 2, 1, 0 of 3: 66.7, 33.3, 0.0 %; 20 March: 2, 1, 1 of 4: 50.0, 25.0, 25.0 %.
RSS: 2, 2, 0 of 4: 50.0, 50.0, 0.0 %; Mastodon: 2, 0, 1 of 3: 66.7, 0.0, 33.3 %.
Sentiment of the brand (30 days): positive 2, neutral 0, negative 1, unknown 1 of 4:
50.0, 0.0, 25.0, 25.0 %; of Initech: 0, 0, 1, 1 of 2: 0.0, 0.0, 50.0, 50.0 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import schedule
from portevoix.accounts.roles import Role
from portevoix.core.errors import PermissionDenied
from portevoix.listening import selectors_voice, services, sources, tasks, voice
from portevoix.listening.models import Mention, Monitor, MonitorCategory, VoiceDay
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
D1 = dt.datetime(2026, 3, 19, 10, 0, tzinfo=dt.UTC)
D2 = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
OLD = dt.datetime(2026, 2, 8, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def cm(org, monkeypatch):
    monkeypatch.setattr(services.clock, "now", lambda: NOW)
    # The fixture sets each sentiment itself (later), as a hand-computed table.
    monkeypatch.setattr(services.sentiment, "analyse", lambda text, language: None)
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


def _monitor(actor, name, terms, category):
    return services.monitor_create(
        actor=actor, data=services.MonitorData(name=name, terms=terms, category=category)
    )


def _entry(guid, text, when):
    return sources.Entry(
        key=sources.entry_key("t", guid),
        url=f"https://news.example.com/{guid}",
        text=text,
        author="someone",
        published_at=when,
        language="en",
    )


@pytest.fixture
def fixture(cm):
    brand = _monitor(cm, "Brand", ["acme"], MonitorCategory.BRAND)
    initech = _monitor(cm, "Initech", ["initech"], MonitorCategory.COMPETITOR)
    umbrella = _monitor(cm, "Umbrella", ["umbrella"], MonitorCategory.COMPETITOR)
    _monitor(cm, "Trend", ["logistics"], MonitorCategory.TREND)
    org = cm.organization_id
    rss = [
        _entry("1", "acme is great", D1),
        _entry("2", "acme vs initech", D1),
        _entry("3", "initech news", D2),
        _entry("4", "logistics", D2),
    ]
    masto = [
        _entry("5", "acme launch", D2),
        _entry("6", "umbrella down", D2),
        _entry("7", "acme again", D2),
        _entry("8", "acme old", OLD),
    ]
    assert services.ingest(organization_id=org, network="rss", entries=rss) == 4
    assert services.ingest(organization_id=org, network="mastodon", entries=masto) == 4
    # a second poll of the same entries adds nothing, to the mentions or to the counts
    assert services.ingest(organization_id=org, network="rss", entries=rss) == 0
    return {"brand": brand, "initech": initech, "umbrella": umbrella}


def _cells(org_id):
    return sorted(
        VoiceDay.objects.filter(organization_id=org_id).values_list(
            "monitor__name", "day", "network", "sentiment", "mentions"
        )
    )


def _shares(line):
    return [(c.count, c.share) for c in line.cells]


def P(value):  # a percent, as the selector gives it
    return Decimal(value)


def test_the_counts_kept_on_ingest_equal_a_recount(cm, fixture):
    day1, day2, old = dt.date(2026, 3, 19), dt.date(2026, 3, 20), dt.date(2026, 2, 8)
    expected = [
        ("Brand", old, "mastodon", "", 1),
        ("Brand", day1, "rss", "", 2),
        ("Brand", day2, "mastodon", "", 2),
        ("Initech", day1, "rss", "", 1),
        ("Initech", day2, "rss", "", 1),
        ("Trend", day2, "rss", "", 1),
        ("Umbrella", day2, "mastodon", "", 1),
    ]
    assert _cells(cm.organization_id) == expected
    assert voice.recount(cm.organization_id, old, day2) == 7
    assert _cells(cm.organization_id) == expected
    assert voice.recount(cm.organization_id, old, day2) == 7  # idempotent


def test_the_local_day_is_the_servers_time_zone(cm, fixture):
    # 23:30 UTC on 19 March is 00:30 on 20 March in Paris
    late = dt.datetime(2026, 3, 19, 23, 30, tzinfo=dt.UTC)
    services.ingest(
        organization_id=cm.organization_id,
        network="rss",
        entries=[_entry("late", "acme late", late)],
    )
    cell = VoiceDay.objects.get(monitor=fixture["brand"], network="rss", day=dt.date(2026, 3, 20))
    assert cell.mentions == 1


def test_shares_over_the_period_by_day_and_by_network(cm, fixture):
    with CaptureQueriesContext(connection) as queries:
        figures = selectors_voice.share_of_voice(membership=cm, days=30)
    assert len(queries) <= 5  # the monitors, the two sums (and the roles, once)
    assert not [q for q in queries if "listening_mention" in q["sql"]]  # never the mentions
    assert [p.label for p in figures.parties] == ["Our brand", "Initech", "Umbrella"]
    assert (figures.start, figures.end) == (dt.date(2026, 2, 19), dt.date(2026, 3, 20))
    assert _shares(figures.overall) == [(4, P("57.1")), (2, P("28.6")), (1, P("14.3"))]
    assert figures.overall.total == 7
    assert len(figures.periods) == 30
    by_day = {line.start: line for line in figures.periods}
    assert _shares(by_day[dt.date(2026, 3, 19)]) == [(2, P("66.7")), (1, P("33.3")), (0, P("0.0"))]
    assert _shares(by_day[dt.date(2026, 3, 20)]) == [(2, P("50.0")), (1, P("25.0")), (1, P("25.0"))]
    assert _shares(by_day[dt.date(2026, 3, 1)]) == [(0, None), (0, None), (0, None)]
    networks = {line.label: line for line in figures.networks}
    assert _shares(networks["rss"]) == [(2, P("50.0")), (2, P("50.0")), (0, P("0.0"))]
    assert _shares(networks["mastodon"]) == [(2, P("66.7")), (0, P("0.0")), (1, P("33.3"))]
    # the bar: segments side by side, in the parties' order, none for a 0 %
    segments = [(s.index, s.x, s.width) for s in by_day[dt.date(2026, 3, 20)].segments]
    assert segments == [(0, 0, P("50.0")), (1, P("50.0"), P("25.0")), (2, P("75.0"), P("25.0"))]

    wide = selectors_voice.share_of_voice(membership=cm, days=90)
    assert _shares(wide.overall) == [(5, P("62.5")), (2, P("25.0")), (1, P("12.5"))]
    weeks = selectors_voice.share_of_voice(membership=cm, days=30, unit="week")
    assert weeks.periods[0].start == dt.date(2026, 2, 16) and len(weeks.periods) == 5
    assert weeks.periods[-1].start == dt.date(2026, 3, 16)
    assert _shares(weeks.periods[-1]) == [(4, P("57.1")), (2, P("28.6")), (1, P("14.3"))]
    odd = selectors_voice.share_of_voice(membership=cm, days=12, unit="year")
    assert (odd.days, odd.unit) == (30, "day")  # what is not offered falls back


def test_sentiment_split_after_the_recount(cm, fixture):
    for guid, sentiment in (("1", "positive"), ("2", "negative"), ("5", "positive")):
        Mention.objects.filter(key=sources.entry_key("t", guid)).update(sentiment=sentiment)
    assert tasks.recount_voice.call_local() == 8  # cells of today and yesterday, recomputed
    figures = selectors_voice.share_of_voice(membership=cm, days=30)
    brand, initech, umbrella = figures.sentiments
    assert [(c.count, c.share) for c in brand.cells] == [
        (2, P("50.0")),
        (0, P("0.0")),
        (1, P("25.0")),
        (1, P("25.0")),
    ]
    assert [(c.count, c.share) for c in initech.cells] == [
        (0, P("0.0")),
        (0, P("0.0")),
        (1, P("50.0")),
        (1, P("50.0")),
    ]
    assert umbrella.total == 1
    assert _shares(figures.overall) == [(4, P("57.1")), (2, P("28.6")), (1, P("14.3"))]


def test_purged_mentions_keep_their_counts(cm, fixture):
    services.retention_set(actor=cm, days=30)
    assert services.purge_expired() == 1  # the mention of 8 February
    assert not Mention.objects.filter(published_at=OLD).exists()
    wide = selectors_voice.share_of_voice(membership=cm, days=90)
    assert wide.overall.cells[0].count == 5  # still counted
    call_command("listening_voice_rebuild", "--days", "90")
    assert VoiceDay.objects.get(day=dt.date(2026, 2, 8)).mentions == 1  # not erased
    assert voice.first_countable_day(cm.organization_id) == dt.date(2026, 2, 19)
    # a post deleted at its source within the recent days: the recount forgets it
    Mention.objects.filter(key=sources.entry_key("t", "7")).delete()
    voice.recount_recent()
    figures = selectors_voice.share_of_voice(membership=cm, days=30)
    assert _shares(figures.overall) == [(3, P("50.0")), (2, P("33.3")), (1, P("16.7"))]


def test_the_rebuild_command_restores_lost_counts(cm, fixture, capsys):
    VoiceDay.objects.all().delete()
    call_command("listening_voice_rebuild", "--days", "60", "--organization", cm.organization_id)
    assert "7 cell(s)" in capsys.readouterr().out
    assert VoiceDay.objects.filter(day=dt.date(2026, 2, 8)).get().mentions == 1


def test_no_brand_or_no_competitor_says_so(cm):
    _monitor(cm, "Brand", ["acme"], MonitorCategory.BRAND)
    figures = selectors_voice.share_of_voice(membership=cm)
    assert figures.has_brand and not figures.has_competitor
    assert figures.overall.total == 0 and _shares(figures.overall) == [(0, None)]


def test_the_recount_is_scheduled():
    assert callable(schedule.listening_recount_voice)
    assert callable(schedule.listening_snapshot_benchmarks)


def test_roles_on_the_selector(cm, fixture, member):
    with pytest.raises(PermissionDenied):
        selectors_voice.share_of_voice(membership=member)


def test_the_page(cm, fixture, member, outsider):
    client = Client()
    client.force_login(cm.user)
    url = reverse("listening:voice")
    page = client.get(url, {"days": "30"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Part de voix" in page and "Notre marque" in page
    assert "57,1 %" in page and "(4)" in page and "Umbrella" in page
    assert "RSS" in page and "MASTODON" in page
    assert 'width="50.0"' in page  # the bar's geometry is not localized
    english = client.get(url, {"days": "90", "unit": "week"}).content.decode()
    assert "Share of voice" in english and "62.5 %" in english and "Per week" in english
    assert client.post(url).status_code == 405
    inbox = client.get(reverse("listening:inbox")).content.decode()
    assert reverse("listening:voice") in inbox and reverse("listening:benchmarks") in inbox
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    client.force_login(outsider.user)  # sees its own organization's, empty
    other = client.get(url).content.decode()
    assert "Umbrella" not in other and "57,1" not in other and "57.1" not in other
    client.logout()
    assert client.get(url).status_code == 302


def test_the_monitor_form_sets_the_category(cm):
    client = Client()
    client.force_login(cm.user)
    page = client.get(reverse("listening:monitors"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce qu\u2019il surveille" in page and "Concurrent" in page
    answer = client.post(
        reverse("listening:monitors"),
        {"name": "Initech", "terms": "initech", "category": "competitor", "active": "on"},
    )
    assert answer.status_code == 302
    monitor = Monitor.objects.get()
    assert monitor.category == MonitorCategory.COMPETITOR
    client.post(
        reverse("listening:monitor", args=[monitor.pk]),
        {"name": "Initech", "terms": "initech", "category": "nonsense", "active": "on"},
    )
    monitor.refresh_from_db()
    assert monitor.category == MonitorCategory.COMPETITOR  # an unknown choice is refused
    client.post(
        reverse("listening:monitor", args=[monitor.pk]),
        {"name": "Initech", "terms": "initech", "category": "trend", "active": "on"},
    )
    monitor.refresh_from_db()
    assert monitor.category == MonitorCategory.TREND
