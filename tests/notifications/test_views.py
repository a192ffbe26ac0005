"""The notification pages: list, mark read, settings, policy, subscribe and unsubscribe,
and the bell of `{% notification_badge %}`."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portevoix.notifications import services
from portevoix.notifications.messages import Message
from portevoix.notifications.models import Kind, Notification, PushSubscription
from tests.factories import PASSWORD
from tests.notifications.conftest import Browser

pytestmark = pytest.mark.django_db


def login(membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


def notify(member, key: str, title: str = "Hello") -> int:
    [pk] = services.notify(
        organization_id=member.organization_id,
        membership_ids=[member.pk],
        kind=Kind.CONTENT_LIVE,
        dedupe_key=key,
        build=lambda tz: Message(title=title, body="Body", url="/feed/"),
    )
    return pk


def test_the_list_shows_the_members_notifications_paginated(ambassador, member):
    for n in range(23):
        notify(ambassador, f"k{n}", f"Title {n}")
    notify(member, "other", "Not yours")
    client = login(ambassador)
    with pytest.MonkeyPatch.context():
        response = client.get("/notifications/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "23 unread notifications" in page
    assert "Title 22" in page and "Title 2<" not in page and "Not yours" not in page
    assert "Page 1 of 2" in page
    assert "Title 0" in client.get("/notifications/?page=2").content.decode()


def test_the_list_makes_a_constant_number_of_queries(ambassador, django_assert_max_num_queries):
    for n in range(20):
        notify(ambassador, f"k{n}")
    client = login(ambassador)
    client.get("/notifications/")
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200


def test_open_marks_read_and_goes_to_the_page(ambassador):
    pk = notify(ambassador, "k")
    client = login(ambassador)
    response = client.post(f"/notifications/{pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/feed/"
    assert Notification.objects.get(pk=pk).read_at is not None
    notify(ambassador, "k2")
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_members_notification_is_404_whatever_the_method(ambassador, member, outsider):
    pk = notify(ambassador, "k")
    for other in (member, outsider):
        client = login(other)
        assert client.post(f"/notifications/{pk}/read/").status_code == 404
        assert client.get(f"/notifications/{pk}/read/").status_code == 404
    assert Notification.objects.get(pk=pk).read_at is None


def test_wrong_method_is_405(ambassador):
    pk = notify(ambassador, "k")
    client = login(ambassador)
    assert client.get(f"/notifications/{pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.get("/notifications/push/subscribe/").status_code == 405
    assert client.get("/notifications/push/unsubscribe/").status_code == 405
    assert client.delete("/notifications/settings/").status_code == 405


def test_subscribe_and_unsubscribe_with_the_browsers_json(ambassador, vapid_key):
    client = login(ambassador)
    browser = Browser("https://push.example.test/device-1")
    response = client.post(
        "/notifications/push/subscribe/",
        data=json.dumps(browser.to_json()),
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
    )
    assert response.status_code == 201 and response.json() == {"subscribed": True, "devices": 1}
    row = PushSubscription.objects.get()
    assert row.membership_id == ambassador.pk and row.browser == "Chrome"
    response = client.post(
        "/notifications/push/unsubscribe/",
        data=json.dumps({"endpoint": browser.endpoint}),
        content_type="application/json",
    )
    assert response.json() == {"subscribed": False, "devices": 0}
    assert not PushSubscription.objects.exists()


def test_subscribe_needs_the_csrf_token(ambassador):
    client = Client(enforce_csrf_checks=True)
    client.login(email=ambassador.user.email, password=PASSWORD)
    response = client.post(
        "/notifications/push/subscribe/",
        data=json.dumps(Browser("https://push.example.test/x").to_json()),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"endpoint": "https://push.example.test/x"}).encode(),
        json.dumps(
            {"endpoint": "http://10.0.0.1/x", "keys": {"p256dh": "a", "auth": "b"}}
        ).encode(),
    ],
)
def test_a_bad_subscription_is_400(ambassador, body):
    response = login(ambassador).post(
        "/notifications/push/subscribe/", data=body, content_type="application/json"
    )
    assert response.status_code == 400 and "error" in response.json()
    assert not PushSubscription.objects.exists()


def test_settings_save_kinds_push_and_quiet_hours(ambassador, vapid_key):
    client = login(ambassador)
    page = client.get("/notifications/settings/").content.decode()
    assert 'id="push-device"' in page and "data-public-key" in page
    assert "notifications/push.js" in page
    response = client.post(
        "/notifications/settings/",
        {
            "kinds": [Kind.EVENT, Kind.POST_OUTCOME],
            "quiet_start": "22:30",
            "quiet_end": "07:00",
            "time_zone": "America/Montreal",
        },
    )
    assert response.status_code == 302
    prefs = services.preferences_of(ambassador.pk, ambassador.organization_id)
    # Every kind not ticked is off (REWARD: the answers to reward requests, from rewards;
    # BADGE: badges earned, from recognition; SURVEY: surveys opened or closing; GOAL: a
    # goal of the program reached, from analytics; CHAT_DISABLED: a Slack or Teams channel
    # turned off after failures, for those who manage them; WEBHOOK_DISABLED: the same for a
    # webhook endpoint; LISTENING_ALERT: a listening spike, for those who manage listening;
    # LISTENING_ASSIGNED: a mention of the vigilance inbox given to you).
    assert sorted(prefs.kinds_off) == sorted(
        [
            Kind.CONTENT_LIVE,
            Kind.RECONNECT,
            Kind.SUGGESTION,
            Kind.REWARD,
            Kind.BADGE,
            Kind.SURVEY,
            Kind.GOAL,
            Kind.CHAT_DISABLED,
            Kind.WEBHOOK_DISABLED,
            Kind.LISTENING_ALERT,
            Kind.LISTENING_ASSIGNED,
        ]
    )
    assert prefs.push_enabled is False
    assert prefs.quiet_start is not None and prefs.quiet_start.hour == 22
    assert prefs.time_zone == "America/Montreal"


def test_settings_refuse_half_quiet_hours(ambassador):
    response = login(ambassador).post(
        "/notifications/settings/", {"kinds": [Kind.EVENT], "quiet_start": "22:00"}
    )
    assert response.status_code == 200
    assert "Give both ends of the quiet hours" in response.content.decode()


def test_settings_say_when_push_is_not_set_up(ambassador, settings):
    settings.VAPID_PRIVATE_KEY = ""
    page = login(ambassador).get("/notifications/settings/").content.decode()
    assert "Push notifications are not set up on this Portevoix server" in page
    assert 'id="push-device"' not in page


def test_the_policy_is_for_administrators(admin, ambassador):
    assert login(ambassador).get("/notifications/policy/").status_code == 403
    client = login(admin)
    assert client.get("/notifications/policy/").status_code == 200
    assert client.post("/notifications/policy/", {"max_pushes_per_day": "3"}).status_code == 302
    assert services.max_pushes_per_day(admin.organization_id) == 3
    assert client.post("/notifications/policy/", {"max_pushes_per_day": "99"}).status_code == 200


def test_pages_in_french(ambassador):
    ambassador.user.language = "fr"
    client = login(ambassador)
    client.cookies["django_language"] = "fr"
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Notifications" in page and "non lue" in page


def test_the_top_bar_bell_shows_the_unread_count(ambassador):
    for n in range(3):
        notify(ambassador, f"k{n}")
    client = login(ambassador)
    page = client.get("/me/").content.decode()
    assert 'href="/notifications/" class="topbar-item topbar-bell has-count"' in page
    assert 'aria-label="Notifications: 3 unread"' in page
    assert '<span class="topbar-count" aria-hidden="true">3</span>' in page
    client.post("/notifications/read-all/")
    page = client.get("/me/").content.decode()
    assert 'class="topbar-item topbar-bell"' in page and "topbar-count" not in page


def test_no_bell_for_a_visitor(client):
    page = client.get("/login/").content.decode()
    assert "topbar-bell" not in page
