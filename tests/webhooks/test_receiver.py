"""Deliveries to a real receiver: a small threaded HTTP server on 127.0.0.1 (allowed as the
local peers are, by SOCIAL_ALLOWED_PRIVATE_HOSTS) gets the events the task sends and checks
each signature with the standardwebhooks library; a redirect it answers is not followed;
and the same receiver is refused once 127.0.0.1 is no longer allowed (the SSRF guard at
connection time)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portevoix.content import signals as content_signals
from portevoix.webhooks import delivery, services
from portevoix.webhooks.models import DeliveryState, WebhookDelivery
from tests.peers.webhook_receiver import Receiver, serve_receiver

pytestmark = [pytest.mark.django_db, pytest.mark.peers]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state


def _endpoint(admin, receiver: Receiver, path: str = "/hook") -> Any:
    data = services.EndpointData(url=receiver.base + path, event_types=["content.item_live"])
    endpoint, secret = services.endpoint_create(actor=admin, data=data)
    receiver.secret = secret
    return endpoint


def _go_live(org, django_capture_on_commit_callbacks, item_id: int = 5) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        content_signals.item_went_live.send(
            sender=None, organization_id=org.pk, item_id=item_id, important=True
        )


def test_the_task_delivers_signed_events_to_a_real_receiver(
    admin, receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(admin, receiver)
    _go_live(admin.organization, django_capture_on_commit_callbacks)
    _go_live(admin.organization, django_capture_on_commit_callbacks)  # announced twice
    (got,) = receiver.received
    assert got["payload"]["type"] == "content.item_live"
    assert got["payload"]["data"]["item_id"] == 5
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (row.state, row.response_status, row.response_excerpt) == (
        DeliveryState.DELIVERED,
        204,
        "",
    )
    assert got["id"] == row.event_id
    # The test event too, and a rotated secret signs the next one.
    receiver.secret = services.secret_rotate(actor=admin, endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        services.test_event_send(actor=admin, endpoint=endpoint)
    assert receiver.received[-1]["payload"]["type"] == "webhook.test"


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(
    admin, receiver, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(admin, receiver)
    receiver.secret = services.new_secret()  # the receiver expects another secret
    _go_live(admin.organization, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (row.state, row.response_status, row.attempts) == (DeliveryState.PENDING, 401, 1)
    assert row.next_attempt_at is not None


def test_a_redirect_is_not_followed(admin, receiver, django_capture_on_commit_callbacks):
    receiver.status = 307
    receiver.location = receiver.base + "/elsewhere"
    endpoint = _endpoint(admin, receiver)
    _go_live(admin.organization, django_capture_on_commit_callbacks)
    assert receiver.paths == ["/hook"]
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (row.state, row.response_status) == (DeliveryState.PENDING, 307)
    assert row.response_excerpt == "redirect not followed"


def test_a_private_address_is_refused_at_connection_time(
    admin, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(admin, receiver)
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []  # as in production: 127.0.0.1 is private
    _go_live(admin.organization, django_capture_on_commit_callbacks)
    assert receiver.paths == []
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert row.response_status is None
    assert row.response_excerpt == "address not allowed (private network)"
    assert delivery.delivery_attempt(delivery_id=row.pk) == "skipped"  # not due yet
