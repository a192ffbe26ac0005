"""Sending a delivery: signed as the Standard Webhooks specification says, retried with a
growing backoff for about a day, and an endpoint turned off after repeated failures.

- Headers: `webhook-id` (the event id, the same at every attempt and for every endpoint),
  `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
  (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body` with the endpoint's secret),
  computed by the `standardwebhooks` library.
- An attempt is claimed before it is sent: the attempt count and the next attempt's time are
  committed first, so a worker killed during the request tries again later instead of
  never (receivers deduplicate on `webhook-id`, as the specification asks).
- A 2xx answer is delivered. Anything else fails the attempt: a redirect is not followed
  (3xx), a timeout (3 s to connect, 10 s in all), a refused address (the SSRF guard, at
  connection time). After the last attempt the delivery has failed; after
  AUTO_DISABLE_AFTER failed deliveries in a row the endpoint is turned off, audited, and
  its page shows why (a delivered one resets the count).
"""

from __future__ import annotations

import datetime as dt
import logging

import httpx
from django.db import transaction
from django.db.models import F
from standardwebhooks.webhooks import Webhook

from portevoix.core import clock, crypto
from portevoix.core import signals as core_signals
from portevoix.governance import gates
from portevoix.networks import base

from .events import TEST_EVENT
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("portevoix.webhooks")

# The waits after each failed attempt: 8 attempts over 24 hours.
RETRY_DELAYS = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=6, minutes=24, seconds=55),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
AUTO_DISABLE_AFTER = 5
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
EXCERPT = 200
DUE_BATCH = 500


def signed_headers(*, secret: str, event_id: str, at: dt.datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of a body sent at `at`."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "content-type": "application/json",
    }


def _claim(delivery_id: int, now: dt.datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.enabled and delivery.event_type != TEST_EVENT:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
            delivery.response_excerpt = "endpoint turned off"
            delivery.save(update_fields=["state", "next_attempt_at", "response_excerpt"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        last = delivery.attempts >= MAX_ATTEMPTS or delivery.event_type == TEST_EVENT
        delivery.next_attempt_at = None if last else now + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def _post(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str]:
    """Send it once: the status (None when no answer came) and a short excerpt."""
    endpoint = delivery.endpoint
    try:
        secret = crypto.decrypt(endpoint.secret_sealed)
    except crypto.DecryptionError:
        return None, "the signing secret cannot be read: rotate it"
    headers = signed_headers(secret=secret, event_id=delivery.event_id, at=now, body=delivery.body)
    try:
        with (
            base.http_client(timeout=TIMEOUT, follow_redirects=False) as client,
            client.stream(
                "POST", endpoint.url, content=delivery.body.encode(), headers=headers
            ) as response,
        ):
            head = b""
            for chunk in response.iter_bytes(chunk_size=EXCERPT):
                head = chunk
                break
            excerpt = head.decode("utf-8", "replace")[:EXCERPT]
            if response.is_redirect:
                excerpt = "redirect not followed"
            return response.status_code, excerpt
    except base.UnsafeAddress:
        return None, "address not allowed (private network)"
    except httpx.TimeoutException:
        return None, "no answer in time"
    except (httpx.HTTPError, base.ConnectorError) as exc:
        return None, f"connection failed: {type(exc).__name__}"[:EXCERPT]


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Try one due delivery: "delivered", "retry", "failed" or "skipped" (not due, done, or
    its endpoint turned off)."""
    now = now or clock.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    status, excerpt = _post(delivery, now)
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        delivery.response_status = status
        delivery.response_excerpt = excerpt
        fields = ["response_status", "response_excerpt"]
        if ok:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = clock.now()
            delivery.next_attempt_at = None
            fields += ["state", "delivered_at", "next_attempt_at"]
        elif delivery.next_attempt_at is None:
            delivery.state = DeliveryState.FAILED
            fields.append("state")
        delivery.save(update_fields=fields)
        if delivery.event_type != TEST_EVENT:
            _count(delivery.endpoint_id, ok=ok, failed=delivery.state == DeliveryState.FAILED)
    logger.info(
        "webhook_attempt org=%s endpoint=%s delivery=%s attempt=%s status=%s",
        delivery.organization_id,
        delivery.endpoint_id,
        delivery.pk,
        delivery.attempts,
        status,
    )
    if ok:
        return "delivered"
    return "failed" if delivery.state == DeliveryState.FAILED else "retry"


def _count(endpoint_id: int, *, ok: bool, failed: bool) -> None:
    """Keep the endpoint's count of failed deliveries in a row; turn it off past the limit."""
    if ok:
        WebhookEndpoint.objects.filter(pk=endpoint_id).exclude(consecutive_failures=0).update(
            consecutive_failures=0
        )
        return
    if not failed:
        return
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures = F("consecutive_failures") + 1
    endpoint.save(update_fields=["consecutive_failures"])
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.enabled and endpoint.consecutive_failures >= AUTO_DISABLE_AFTER:
        endpoint.enabled = False
        endpoint.auto_disabled_at = clock.now()
        endpoint.save(update_fields=["enabled", "auto_disabled_at"])
        gates.audit_record(
            organization=endpoint.organization,
            actor=None,
            action="webhooks.endpoint_auto_disabled",
            object_type="webhook_endpoint",
            object_id=endpoint.pk,
            before={"enabled": True},
            after={"enabled": False, "failed_deliveries": endpoint.consecutive_failures},
        )
        logger.warning(
            "webhook_endpoint_auto_disabled org=%s endpoint=%s",
            endpoint.organization_id,
            endpoint.pk,
        )
        # Its managers are told (notifications, through core.signals: nobody imports us).
        notice = {
            "organization_id": endpoint.organization_id,
            "integration": "webhook",
            "object_id": endpoint.pk,
            "name": endpoint.description or endpoint.url,
            "failures": endpoint.consecutive_failures,
        }
        transaction.on_commit(lambda: core_signals.integration_disabled.send(None, **notice))


def due_delivery_ids(*, now: dt.datetime | None = None, limit: int = DUE_BATCH) -> list[int]:
    """Pending deliveries whose next attempt has come, oldest first."""
    now = now or clock.now()
    return list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
