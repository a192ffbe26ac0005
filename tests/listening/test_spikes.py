"""Spike alerts on a fixed clock (decision 0027): the volume rule against the median of the
7 days before, the negative-sentiment rule, once per monitor/kind/hour whatever the retries,
the notice to community managers and admins (in-app, email, Slack/Teams) with the crisis
pause prefilled; the thresholds (listening.manage); the alerts page and the weekly summary
(who sees what, methods, French)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from config import schedule
from portevoix.accounts.roles import Role
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.listening import alerts, services, services_vigilance, sources
from portevoix.listening.models import AlertKind, SpikeAlert
from portevoix.notifications.models import Kind, Notification
from portevoix.notifications.models_chat import ChatDelivery
from tests import factories
from tests.notifications.chat_helpers import channel

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 9, 10, 12, tzinfo=dt.UTC)  # Monday; the hour judged: 09:00-10:00
HOUR = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def community(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(services.clock, "now", lambda: NOW)


def _monitor(actor, name="Brand", terms=("Acme",)):
    return services.monitor_create(
        actor=actor, data=services.MonitorData(name=name, terms=list(terms))
    )


_serial = {"n": 0}


def _mentions(actor, when, count, text="Acme news", language="en"):
    return _ingest(actor, [when] * count, text, language)


def _ingest(actor, times, text="Acme news", language="en"):
    entries = []
    for when in times:
        _serial["n"] += 1
        entries.append(
            sources.Entry(
                key=sources.entry_key("rss", f"g{_serial['n']}"),
                url=f"https://news.example.com/{_serial['n']}",
                text=text,
                author="jdoe",
                published_at=when,
                language=language,
            )
        )
    return services.ingest(organization_id=actor.organization_id, network="rss", entries=entries)


def _history(actor, per_hour=2, days=7):
    """`per_hour` neutral mentions in every hour of the 7 days before the judged hour."""
    times = [
        HOUR - dt.timedelta(hours=hours_back, minutes=-5)
        for hours_back in range(1, days * 24 + 1)
        for _ in range(per_hour)
    ]
    _ingest(actor, times)


# --------------------------------------------------------------------------- the rules


def test_judge_volume_and_negative_rules():
    settings = services_vigilance.AlertSettings(3.0, 10, 25, 5)
    hours = alerts._Hours()
    for step in range(1, 169):
        hours.total[HOUR - dt.timedelta(hours=step)] = 4  # median 4
        hours.rated[HOUR - dt.timedelta(hours=step)] = 4
        hours.negative[HOUR - dt.timedelta(hours=step)] = 1  # 25 % usually negative
    hours.total[HOUR] = 11  # below 3 x 4 = 12
    assert alerts.judge(hours, HOUR, settings) == []
    hours.total[HOUR] = 12
    assert [v.kind for v in alerts.judge(hours, HOUR, settings)] == [AlertKind.VOLUME]
    hours.rated[HOUR], hours.negative[HOUR] = 10, 5  # 50 % >= 25 + 25, and 5 negatives
    verdicts = alerts.judge(hours, HOUR, settings)
    assert [v.kind for v in verdicts] == [AlertKind.VOLUME, AlertKind.NEGATIVE]
    assert (verdicts[1].negatives, verdicts[1].negative_share, verdicts[1].baseline_share) == (
        5,
        0.5,
        0.25,
    )
    hours.rated[HOUR], hours.negative[HOUR] = 11, 5  # 45 %: not 25 points above
    assert [v.kind for v in alerts.judge(hours, HOUR, settings)] == [AlertKind.VOLUME]
    quiet = alerts._Hours()
    quiet.total[HOUR] = 9  # no history: the minimum (10) decides
    assert alerts.judge(quiet, HOUR, settings) == []
    quiet.total[HOUR] = 10
    assert alerts.judge(quiet, HOUR, settings)[0].baseline == 0


def test_a_spike_is_raised_once_and_told_to_the_managers(
    community, admin, member, org, fixed_clock, django_capture_on_commit_callbacks, settings
):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    brand = _monitor(community)
    slack = channel(admin, events=["listening"])
    channel(admin, kind="teams", events=["live"])  # does not take listening alerts
    _history(community, per_hour=1)
    _mentions(community, HOUR + dt.timedelta(minutes=30), 12)  # 12 >= max(10, 3 x 1)
    _mentions(community, HOUR + dt.timedelta(minutes=75), 30)  # the next hour: not judged yet
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.check_spikes() == 1
    alert = SpikeAlert.objects.get()
    assert (alert.monitor_id, alert.kind, alert.hour, alert.count, alert.baseline) == (
        brand.pk,
        AlertKind.VOLUME,
        HOUR,
        12,
        1.0,
    )
    notified = Notification.objects.filter(kind=Kind.LISTENING_ALERT)
    told = set(notified.values_list("membership_id", flat=True))
    assert {community.pk, admin.pk} <= told and member.pk not in told  # admins and CMs only
    emails = sorted(m.membership.user.email for m in notified.select_related("membership__user"))
    note = notified.first()
    assert note is not None
    query = parse_qs(urlsplit(note.url).query)
    assert urlsplit(note.url).path == reverse("publishing:pause")
    assert "Brand" in query["reason"][0]
    assert sorted(m.to[0] for m in mail.outbox) == emails
    assert "/publishing/pause/?reason=" in mail.outbox[0].body
    deliveries = ChatDelivery.objects.all()
    assert [(d.connection_id, d.event) for d in deliveries] == [(slack.pk, "listening")]
    # Retried, or run by a second worker: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.check_spikes() == 0
        assert alerts.check_organization(org.pk, HOUR, NOW) == 0
    assert SpikeAlert.objects.count() == 1
    assert notified.count() == len(told) == len(mail.outbox) and deliveries.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SpikeAlert.objects.create(
            organization=org,
            monitor=brand,
            kind="volume",
            hour=HOUR,
            count=1,
            baseline=0,
            created_at=NOW,
        )


def test_a_sharp_rise_of_negative_mentions(community, fixed_clock):
    _monitor(community)
    _history(community, per_hour=1)  # neutral: 0 % negative
    _mentions(community, HOUR + dt.timedelta(minutes=10), 6, "Acme is terrible, awful service")
    assert alerts.check_spikes() == 1  # 6 < 10: no volume alert, but 100 % negative
    alert = SpikeAlert.objects.get()
    assert (alert.kind, alert.negatives, alert.negative_share, alert.baseline_share) == (
        AlertKind.NEGATIVE,
        6,
        1.0,
        0.0,
    )


def test_the_organization_thresholds(community, member, fixed_clock):
    _monitor(community)
    _mentions(community, HOUR + dt.timedelta(minutes=10), 4)
    assert alerts.check_spikes() == 0
    services_vigilance.alert_settings_set(
        actor=community, settings=services_vigilance.AlertSettings(2.0, 3, 30, 5)
    )
    assert AuditEntry.objects.filter(action="listening.alerts_changed").count() == 1
    assert alerts.check_spikes() == 1
    with pytest.raises(PermissionDenied):
        services_vigilance.alert_settings_set(
            actor=member, settings=services_vigilance.AlertSettings(2.0, 3, 30, 5)
        )
    with pytest.raises(DomainError) as error:
        services_vigilance.alert_settings_set(
            actor=community, settings=services_vigilance.AlertSettings(1.0, 0, 200, 5)
        )
    assert set(error.value.field_errors) == {"spike_factor", "spike_minimum", "negative_rise"}


def test_the_hourly_job_judges_the_last_complete_hour(community, outsider, fixed_clock):
    _monitor(community)
    _monitor(outsider, name="Theirs")
    _mentions(community, HOUR + dt.timedelta(minutes=59), 10)
    _mentions(outsider, HOUR + dt.timedelta(minutes=61), 10)  # their current hour: not yet
    assert schedule.listening_spike_alerts.call_local() == 1  # the periodic task
    assert list(SpikeAlert.objects.values_list("organization_id", "hour")) == [
        (community.organization_id, HOUR)
    ]


def test_the_pause_page_is_prefilled_escaped_and_cut(admin):
    client = Client()
    client.force_login(admin.user)
    reason = "<script>alert(1)</script>" + "x" * 900
    page = client.get(reverse("publishing:pause"), {"reason": reason}).content.decode()
    assert "<script>alert(1)</script>" not in page
    found = re.search(r'<textarea[^>]*name="reason"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    assert found.group(1).strip() == "&lt;script&gt;alert(1)&lt;/script&gt;" + "x" * 475


# --------------------------------------------------------------------------- pages


def test_the_alert_pages_roles_and_methods(community, member, outsider, fixed_clock):
    _monitor(community)
    _mentions(community, HOUR + dt.timedelta(minutes=10), 12)
    alerts.check_spikes()
    client = Client()
    client.force_login(community.user)
    page = client.get(reverse("listening:alerts"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pic de mentions" in page and "/publishing/pause/?reason=" in page
    assert client.post(reverse("listening:alerts")).status_code == 405
    assert client.put(reverse("listening:alert_settings")).status_code == 405
    answer = client.post(
        reverse("listening:alert_settings"),
        {
            "spike_factor": "4",
            "spike_minimum": "20",
            "negative_rise": "30",
            "negative_minimum": "6",
        },
    )
    assert answer.status_code == 302
    assert services_vigilance.alert_settings(community.organization_id).spike_minimum == 20
    client.force_login(member.user)
    assert client.get(reverse("listening:alerts")).status_code == 403
    assert client.get(reverse("listening:alert_settings")).status_code == 403
    client.force_login(outsider.user)
    theirs = client.get(reverse("listening:alerts")).content.decode()  # their own, empty
    assert "Brand" not in theirs


def test_the_weekly_summary(community, member, outsider, org, fixed_clock):
    brand = _monitor(community)
    _monitor(community, name="Globex", terms=("Globex",))
    _mentions(community, NOW - dt.timedelta(hours=1), 3, "Acme is wonderful, I love it")
    _mentions(community, NOW - dt.timedelta(hours=2), 1, "Acme support was terrible")
    _mentions(community, NOW - dt.timedelta(days=7), 2)  # last week
    _mentions(community, NOW - dt.timedelta(hours=1), 1, "Globex opens an office")
    alerts._raise(brand, HOUR, alerts.Verdict(AlertKind.VOLUME, 12, 1.0), NOW)
    client = Client()
    client.force_login(community.user)
    page = client.get(reverse("listening:summary"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "VADER" in html and "textblob-fr" in html
    assert "<td>4 (+100 %)</td><td>2</td><td>3</td><td>0</td><td>1</td><td>RSS 4</td>" in html
    assert "Acme is wonderful" in html and "Acme support was terrible" in html
    assert "Spike of mentions (12)" in html
    french = client.get(reverse("listening:summary"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce qui s\u2019est dit" in french
    before = client.get(reverse("listening:summary"), {"week": "2026-03-02"}).content.decode()
    assert "<td>2</td><td>0</td>" in before
    assert client.post(reverse("listening:summary")).status_code == 405
    client.force_login(member.user)
    assert client.get(reverse("listening:summary")).status_code == 403
    client.force_login(outsider.user)
    assert "Acme is wonderful" not in client.get(reverse("listening:summary")).content.decode()


def test_a_long_accented_monitor_name_keeps_the_pause_link_whole():
    from portevoix.notifications.listening_alerts import Alert

    alert = Alert(
        organization_id=1,
        alert_id=1,
        kind="negative",
        monitor="é" * 80,
        hour=HOUR,
        pause_path="/publishing/pause/",
    )
    link = alert.pause_link()
    assert len(link) <= 500
    assert parse_qs(urlsplit(link).query)["reason"][0].startswith("Listening alert")
