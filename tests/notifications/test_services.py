"""The rules of notifications, each on its own: kinds off, push off, quiet hours, the daily
cap, withdrawal, dedupe, and gone subscriptions. The push service is a recorder here
(tests/notifications/test_push_service.py has the real one on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.core import clock, crypto
from portevoix.notifications import services
from portevoix.notifications.messages import Message
from portevoix.notifications.models import (
    Kind,
    Notification,
    PushDelivery,
    PushState,
    PushSubscription,
)
from tests.notifications.conftest import Browser

pytestmark = pytest.mark.django_db


def say(text: str = "Hello"):
    return lambda tz: Message(title=text, body="Body", url="/feed/")


def notify(member, key: str = "event:1", kind: str = Kind.CONTENT_LIVE) -> list[int]:
    return services.notify(
        organization_id=member.organization_id,
        membership_ids=[member.pk],
        kind=kind,
        dedupe_key=key,
        build=say(key),
    )


def prefs(member, **changes) -> None:
    data = services.PreferencesData()
    for name, value in changes.items():
        setattr(data, name, value)
    services.preferences_update(membership=member, data=data)


def at(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_a_push_goes_to_every_device_with_title_body_url_and_tag(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    Browser("https://push.example.test/b").subscribe(ambassador)
    [pk] = notify(ambassador)
    assert [endpoint for endpoint, _ in pushes.sent] == [
        "https://push.example.test/a",
        "https://push.example.test/b",
    ]
    assert pushes.sent[0][1] == {
        "title": "event:1",
        "body": "Body",
        "url": "/feed/",
        "tag": f"portevoix-{pk}",
    }
    assert Notification.objects.get(pk=pk).push_state == PushState.SENT
    assert PushDelivery.objects.get(notification_id=pk).devices == 2


def test_the_same_event_never_notifies_twice(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    assert len(notify(ambassador, "post:7:failed")) == 1
    assert notify(ambassador, "post:7:failed") == []
    assert Notification.objects.filter(membership_id=ambassador.pk).count() == 1
    assert len(pushes.sent) == 1


def test_a_kind_switched_off_sends_nothing_at_all(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    prefs(ambassador, kinds_on=[Kind.POST_OUTCOME])
    assert notify(ambassador, kind=Kind.CONTENT_LIVE) == []
    assert not Notification.objects.exists()
    assert len(notify(ambassador, "post:1:failed", kind=Kind.POST_OUTCOME)) == 1
    assert len(pushes.sent) == 1


def test_push_off_keeps_notifications_in_the_app(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    prefs(ambassador, push_enabled=False)
    [pk] = notify(ambassador)
    assert Notification.objects.get(pk=pk).push_state == PushState.NONE
    assert pushes.sent == []


def test_without_a_device_or_a_key_notifications_stay_in_the_app(ambassador, settings, daytime):
    settings.VAPID_PRIVATE_KEY = ""
    Browser("https://push.example.test/a").subscribe(ambassador)
    [pk] = notify(ambassador)
    assert Notification.objects.get(pk=pk).push_state == PushState.NONE


def test_quiet_hours_hold_the_push_until_they_end(ambassador, pushes, monkeypatch):
    Browser("https://push.example.test/a").subscribe(ambassador)
    prefs(
        ambassador,
        quiet_start=dt.time(22, 0),
        quiet_end=dt.time(7, 30),
        time_zone="America/New_York",
    )
    # 03:00 UTC is 23:00 in New York (UTC-4): quiet.
    at(monkeypatch, dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC))
    [pk] = notify(ambassador)
    held = Notification.objects.get(pk=pk)
    assert held.push_state == PushState.HELD
    assert held.push_after == dt.datetime(2026, 3, 10, 11, 30, tzinfo=dt.UTC)  # 07:30 NY
    assert pushes.sent == []
    # Still quiet at 06:00 in New York: the periodic release sends nothing.
    assert services.push_release_held(now=dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)) == 0
    # 07:35 in New York: it goes.
    morning = dt.datetime(2026, 3, 10, 11, 35, tzinfo=dt.UTC)
    at(monkeypatch, morning)
    assert services.push_release_held(now=morning) == 1
    assert len(pushes.sent) == 1
    assert Notification.objects.get(pk=pk).push_state == PushState.SENT


def test_a_held_push_read_in_the_meantime_is_not_sent(ambassador, pushes, monkeypatch):
    Browser("https://push.example.test/a").subscribe(ambassador)
    at(monkeypatch, dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC))  # 23:00 in Paris
    [pk] = notify(ambassador)
    services.notification_mark_read(membership=ambassador, pk=pk)
    morning = dt.datetime(2026, 3, 11, 8, 0, tzinfo=dt.UTC)
    assert services.push_release_held(now=morning) == 0
    assert Notification.objects.get(pk=pk).push_state == PushState.SKIPPED
    assert pushes.sent == []


def test_the_daily_cap_keeps_the_rest_in_the_app(ambassador, pushes, monkeypatch, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    ids = [notify(ambassador, f"event:{n}")[0] for n in range(3)]
    states = [Notification.objects.get(pk=pk).push_state for pk in ids]
    assert states == [PushState.SENT, PushState.SENT, PushState.CAPPED]
    assert len(pushes.sent) == 2
    # The next local day counts afresh.
    at(monkeypatch, daytime + dt.timedelta(days=1))
    notify(ambassador, "event:next-day")
    assert len(pushes.sent) == 3


def test_the_organization_sets_the_cap(ambassador, admin, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    services.policy_update(membership=admin, max_pushes_per_day=1)
    notify(ambassador, "event:1")
    notify(ambassador, "event:2")
    assert len(pushes.sent) == 1
    services.policy_update(membership=admin, max_pushes_per_day=0)
    [pk] = notify(ambassador, "event:3")
    assert Notification.objects.get(pk=pk).push_state == PushState.NONE


def test_only_an_admin_sets_the_cap(ambassador):
    from portevoix.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.policy_update(membership=ambassador, max_pushes_per_day=5)


def test_withdrawal_deletes_the_subscriptions_and_stops_everything(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    assert PushSubscription.objects.filter(membership_id=ambassador.pk).exists()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "push_send", lambda **kw: "later")  # leave one pending
        [pending] = notify(ambassador, "event:pending")
    account_services.ambassador_opt_out(membership=ambassador)
    assert not PushSubscription.objects.filter(membership_id=ambassador.pk).exists()
    assert Notification.objects.get(pk=pending).push_state == PushState.SKIPPED
    assert notify(ambassador, "event:after") == []
    assert services.push_send(notification_id=pending) == "nothing"
    assert pushes.sent == []


def test_nothing_is_pushed_to_someone_who_withdrew_even_with_a_row_left(
    ambassador, pushes, daytime
):
    Browser("https://push.example.test/a").subscribe(ambassador)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "push_send", lambda **kw: "later")
        [pk] = notify(ambassador)
        patch.setattr(services, "member_withdrew", lambda **kw: 0)  # as if the hook was lost
        account_services.ambassador_opt_out(membership=ambassador)
    assert services.push_send(notification_id=pk) == "withdrawn"
    assert pushes.sent == []


def test_a_withdrawn_member_cannot_subscribe_again(ambassador):
    from portevoix.core.errors import DomainError

    account_services.ambassador_opt_out(membership=ambassador)
    with pytest.raises(DomainError):
        Browser("https://push.example.test/a").subscribe(ambassador)


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(ambassador, pushes, daytime, status):
    Browser("https://push.example.test/a").subscribe(ambassador)
    pushes.status = status
    [pk] = notify(ambassador)
    assert not PushSubscription.objects.exists()
    # Nothing reached a device: the push does not count against the day.
    assert Notification.objects.get(pk=pk).push_state == PushState.FAILED
    assert not PushDelivery.objects.exists()


def test_a_refused_push_keeps_the_subscription(ambassador, pushes, daytime):
    Browser("https://push.example.test/a").subscribe(ambassador)
    pushes.status = 500
    notify(ambassador)
    assert PushSubscription.objects.count() == 1


def test_subscriptions_are_sealed_at_rest_and_unique_per_browser(ambassador, member, daytime):
    browser = Browser("https://push.example.test/secret-endpoint")
    browser.subscribe(ambassador)
    row = PushSubscription.objects.get()
    assert "secret-endpoint" not in row.endpoint_sealed
    assert crypto.decrypt(row.endpoint_sealed) == browser.endpoint
    assert crypto.decrypt(row.auth_sealed) == browser.to_json()["keys"]["auth"]
    assert row.browser == "Firefox"
    browser.subscribe(member)  # the same browser, another account of the organization
    assert PushSubscription.objects.get().membership_id == member.pk


@pytest.mark.parametrize(
    "endpoint",
    ["http://push.example.test/a", "ftp://push.example.test/a", "https://user:pw@host/a", ""],
)
def test_a_push_address_must_be_https(ambassador, endpoint):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError):
        Browser(endpoint).subscribe(ambassador)


def test_bad_keys_are_refused(ambassador):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError):
        services.subscription_save(
            membership=ambassador, endpoint="https://push.example.test/a", p256dh="abc", auth="x"
        )


def test_mark_read_is_for_the_member_only(ambassador, member, outsider, daytime):
    from portevoix.core.errors import NotFound

    [pk] = notify(ambassador)
    for other in (member, outsider):
        with pytest.raises(NotFound):
            services.notification_mark_read(membership=other, pk=pk)
    assert services.notification_mark_read(membership=ambassador, pk=pk).read_at is not None
    notify(ambassador, "event:2")
    assert services.notifications_mark_all_read(membership=ambassador) == 1


def test_preferences_are_checked(ambassador):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        prefs(ambassador, time_zone="Mars/Olympus", quiet_start=dt.time(22), quiet_end=None)
    assert set(caught.value.field_errors) == {"time_zone", "quiet_end"}
