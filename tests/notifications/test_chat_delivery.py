"""Posting to Slack and Teams webhooks: a local HTTP receiver on 127.0.0.1 plays the
webhook. The exact JSON received, once per event whatever the retries, retries with
backoff on 5xx/429/timeouts, and a channel turned off (its managers told) after repeated
failures, or at once when the webhook is gone."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import translation

from portevoix.accounts.roles import Role
from portevoix.notifications.chat import delivery, events, messages
from portevoix.notifications.models import Kind, Notification
from portevoix.notifications.models_chat import ChatDelivery, DeliveryState
from tests import factories
from tests.notifications.chat_helpers import channel, live_item
from tests.peers.server import FakeApp, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]


@pytest.fixture
def receiver():
    app = FakeApp("webhook")
    app.answers = []  # type: ignore[attr-defined]

    @app.route("POST", "/hook/{name}")
    def hook(req):
        return app.answers.pop(0) if app.answers else Resp(200, "ok")  # type: ignore[attr-defined]

    with serve(app) as base:
        app.base = base  # type: ignore[attr-defined]
        yield app


@pytest.fixture
def by_hand(monkeypatch):
    """Deliveries are not queued: the test sends them itself, at the moments it chooses."""
    monkeypatch.setattr(delivery, "_queue", lambda ids: None)


def later(delivery_row: ChatDelivery) -> dt.datetime:
    delivery_row.refresh_from_db()
    return delivery_row.next_attempt_at


def test_slack_and_teams_receive_the_exact_json(org, admin, receiver):
    item = live_item(org, title="Nous recrutons", important=True)
    slack = channel(admin, kind="slack", url=f"{receiver.base}/hook/slack")
    teams = channel(admin, kind="teams", url=f"{receiver.base}/hook/teams")
    # Queued once committed and posted by the (immediate) queue.
    assert events.item_live(organization_id=org.pk, item_id=item.pk) == 2
    by_path = {call.path: call for call in receiver.calls}
    with translation.override("fr"):
        message = messages.item_live(item, important=True)
        assert json.loads(by_path["/hook/slack"].body) == messages.to_slack(message)
        assert json.loads(by_path["/hook/teams"].body) == messages.to_teams(message)
    assert by_path["/hook/slack"].headers["content-type"] == "application/json"
    slack_body = json.loads(by_path["/hook/slack"].body)
    assert slack_body["text"] == "Important : Nous recrutons"
    assert slack_body["blocks"][0]["type"] == "header"
    teams_body = json.loads(by_path["/hook/teams"].body)
    assert teams_body["type"] == "message"
    assert teams_body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert {d.state for d in ChatDelivery.objects.all()} == {DeliveryState.SENT}
    assert {slack.pk, teams.pk} == set(ChatDelivery.objects.values_list("connection_id", flat=True))


def test_an_event_is_posted_once_whatever_the_retries(org, admin, receiver, by_hand):
    channel(admin, kind="slack", url=f"{receiver.base}/hook/slack")
    item = live_item(org)
    events.item_live(organization_id=org.pk, item_id=item.pk)
    events.item_live(organization_id=org.pk, item_id=item.pk)  # the signal again
    [row] = ChatDelivery.objects.all()
    assert row.key == f"item:{item.pk}:live"
    assert delivery.delivery_send(delivery_id=row.pk) == "sent"
    assert delivery.delivery_send(delivery_id=row.pk) == "done"  # a retried task
    assert receiver.count("POST", "/hook/") == 1


def test_5xx_and_429_are_retried_with_growing_delays_then_sent(org, admin, receiver, by_hand):
    channel(admin, kind="teams", url=f"{receiver.base}/hook/teams")
    receiver.answers += [
        Resp(500, "boom"),
        Resp(503, "busy"),
        Resp(429, "slow down", headers={"Retry-After": "600"}),
    ]
    item = live_item(org)
    events.item_live(organization_id=org.pk, item_id=item.pk)
    [row] = ChatDelivery.objects.all()
    now = later(row)  # due from its creation (the real clock), whatever the day the test runs
    assert delivery.delivery_send(delivery_id=row.pk, now=now) == "retry"
    assert later(row) == now + dt.timedelta(minutes=1)
    assert delivery.delivery_send(delivery_id=row.pk, now=now) == "later"  # not due yet
    now += dt.timedelta(minutes=1)
    assert delivery.delivery_send(delivery_id=row.pk, now=now) == "retry"
    assert later(row) == now + dt.timedelta(minutes=2)
    now += dt.timedelta(minutes=2)
    assert delivery.deliveries_due(now=now) == [row.pk]
    assert delivery.delivery_send(delivery_id=row.pk, now=now) == "retry"
    assert later(row) >= now + dt.timedelta(seconds=590)  # Retry-After wins over 4 minutes
    assert delivery.delivery_send(delivery_id=row.pk, now=later(row)) == "sent"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.SENT, 4, 200)
    assert row.connection.consecutive_failures == 0
    assert receiver.count("POST", "/hook/") == 4


def test_a_timeout_is_retried(org, admin, receiver, by_hand, monkeypatch):
    import time

    monkeypatch.setattr(delivery, "POST_TIMEOUT", 0.2)

    def stall(req):
        time.sleep(0.5)

    receiver.before = stall
    channel(admin, kind="slack", url=f"{receiver.base}/hook/slack")
    events.item_live(organization_id=org.pk, item_id=live_item(org).pk)
    [row] = ChatDelivery.objects.all()
    assert delivery.delivery_send(delivery_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.state == DeliveryState.PENDING and row.last_status is None


@override_settings(CHAT_MAX_FAILURES=5, CHAT_MAX_ATTEMPTS=3)
def test_five_failures_in_a_row_turn_the_channel_off_and_tell_its_managers(org, admin, receiver):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    ambassador = factories.make_member(org, ambassador=True)
    connection = channel(admin, kind="slack", url=f"{receiver.base}/hook/slack")
    receiver.answers += [Resp(500, "boom")] * 10
    for _n in range(3):
        events.item_live(organization_id=org.pk, item_id=live_item(org).pk)
    rows = list(ChatDelivery.objects.order_by("pk"))
    now = max(r.next_attempt_at for r in rows)  # all due, whatever the day the test runs
    # 3 attempts of the first (then it fails), 2 of the second: 5 failures in a row.
    for row, tries in ((rows[0], 3), (rows[1], 2)):
        for _n in range(tries):
            delivery.delivery_send(delivery_id=row.pk, now=now)
            now += dt.timedelta(hours=2)
    connection.refresh_from_db()
    assert not connection.enabled and connection.disabled_reason == "failures"
    states = [r.state for r in ChatDelivery.objects.order_by("pk")]
    # The first gave up after its 3 attempts; what waited for the channel is not sent.
    assert states == [DeliveryState.FAILED, DeliveryState.SKIPPED, DeliveryState.SKIPPED]
    told = set(
        Notification.objects.filter(kind=Kind.CHAT_DISABLED).values_list("membership_id", flat=True)
    )
    assert told == {admin.pk, community.pk, org_owner(org).pk}
    assert ambassador.pk not in told
    assert delivery.delivery_send(delivery_id=rows[2].pk, now=now) in {"done", "skipped"}
    assert receiver.count("POST", "/hook/") == 5


def org_owner(org):
    from portevoix.accounts.models import Membership

    return Membership.objects.filter(organization=org, user__email__startswith="owner").get()


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_webhook_turns_the_channel_off_at_once(org, admin, receiver, by_hand, status):
    connection = channel(admin, kind="teams", url=f"{receiver.base}/hook/teams")
    receiver.answers.append(Resp(status, "gone"))
    events.item_live(organization_id=org.pk, item_id=live_item(org).pk)
    [row] = ChatDelivery.objects.all()
    assert delivery.delivery_send(delivery_id=row.pk) == "gone"
    connection.refresh_from_db()
    row.refresh_from_db()
    assert not connection.enabled and connection.disabled_reason == "gone"
    assert row.state == DeliveryState.FAILED and row.last_status == status
    notice = Notification.objects.get(membership=admin, kind=Kind.CHAT_DISABLED)
    assert "#teams-news" in notice.title and notice.url == "/notifications/chat/"


def test_the_queue_posts_once_committed(org, admin, receiver, django_capture_on_commit_callbacks):
    """The receiver of content's signal queues the task; the task posts (huey immediate)."""
    channel(admin, kind="slack", url=f"{receiver.base}/hook/slack")
    with django_capture_on_commit_callbacks(execute=True):
        item = live_item(org)
    assert receiver.count("POST", "/hook/slack") == 1
    assert ChatDelivery.objects.get().state == DeliveryState.SENT
    [share] = [b for b in ChatDelivery.objects.get().payload["blocks"] if b["type"] == "actions"]
    assert share["elements"][0]["value"] == str(item.pk)
