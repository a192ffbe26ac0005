"""The organization's digest schedule (day, hour, time zone) on the notification policy page:
an admin sets it (audited) and the hourly start follows it; a member gets 403; another
organization's admin changes only their own; wrong method, bad hour or time zone refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from portevoix.governance.models import AuditEntry
from portevoix.notifications.mail import schedule, services
from portevoix.notifications.models_mail import DigestRun, DigestSchedule
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/notifications/policy/digest/"


def login(membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


def test_the_policy_page_shows_the_default_schedule(admin):
    body = login(admin).get("/notifications/policy/").content.decode()
    assert 'action="/notifications/policy/digest/"' in body
    assert '<option value="0" selected>Monday</option>' in body
    assert '<option value="9" selected>09:00</option>' in body


def test_an_admin_sets_the_schedule_and_the_hourly_start_follows_it(org, admin, ambassador):
    form = {"weekday": "4", "hour": "7", "time_zone": "America/New_York"}
    response = login(admin).post(URL, form)
    assert response.status_code == 302 and response["Location"] == "/notifications/policy/"
    row = DigestSchedule.objects.get(organization=org)
    assert (row.weekday, row.hour, row.time_zone) == (4, 7, "America/New_York")
    entry = AuditEntry.objects.get(action="mail.digest_schedule_set")
    assert entry.actor_id == admin.user_id
    assert entry.after == {"weekday": 4, "hour": 7, "time_zone": "America/New_York"}
    # Friday 2026-12-11 at 07:00 in New York is 12:00 UTC: daily and weekly runs start.
    friday_7am = dt.datetime(2026, 12, 11, 12, 0, tzinfo=dt.UTC)
    assert services.digests_due(now=friday_7am - dt.timedelta(hours=1)) == 0
    assert services.digests_due(now=friday_7am) == 2
    assert set(DigestRun.objects.filter(organization=org).values_list("frequency", flat=True)) == {
        "daily",
        "weekly",
    }
    # Saving the same values again leaves no second audit row.
    login(admin).post(URL, form)
    assert AuditEntry.objects.filter(action="mail.digest_schedule_set").count() == 1


def test_bad_values_come_back_with_their_errors_and_nothing_is_saved(org, admin):
    client = login(admin)
    response = client.post(URL, {"weekday": "1", "hour": "8", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Unknown time zone" in response.content.decode()
    response = client.post(URL, {"weekday": "9", "hour": "25", "time_zone": ""})
    assert response.status_code == 400
    assert not DigestSchedule.objects.filter(organization=org).exists()


def test_a_member_may_not_set_it(org, ambassador):
    response = login(ambassador).post(URL, {"weekday": "2", "hour": "8", "time_zone": ""})
    assert response.status_code == 403
    assert not DigestSchedule.objects.filter(organization=org).exists()


def test_another_organizations_admin_changes_only_their_own(org, other_org, outsider):
    response = login(outsider).post(URL, {"weekday": "2", "hour": "8", "time_zone": ""})
    assert response.status_code == 302
    assert not DigestSchedule.objects.filter(organization=org).exists()
    assert DigestSchedule.objects.get(organization=other_org).weekday == 2


def test_only_post(admin):
    assert login(admin).get(URL).status_code == 405


def test_the_service_checks_its_values(admin):
    with pytest.raises(Exception, match="errors"):
        schedule.digest_schedule_set(membership=admin, weekday=7, hour=0, time_zone="")
    saved = schedule.digest_schedule_set(
        membership=admin, weekday=6, hour=23, time_zone=" Europe/Paris "
    )
    assert saved == schedule.Schedule(6, 23, "Europe/Paris")
    assert schedule.digest_schedule_of(membership=admin) == saved
