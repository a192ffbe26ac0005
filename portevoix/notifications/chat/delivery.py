"""Posting to a channel: one `ChatDelivery` per (channel, event key), created once, posted
from the queue (never in a request) through the SSRF-guarded HTTP client.

- A delivery is claimed (`sending`, in its own transaction) before the POST: a retry, a
  second worker or a second signal never posts it twice. A worker that dies during the
  POST leaves it `sending`: it is not posted again (at most once, see
  docs/decisions/0014-chat-and-signatures.md).
- 2xx: sent. 5xx, 429 and network errors: tried again later, after 1, 2, 4, 8... minutes
  (at least what `Retry-After` asks), at most CHAT_MAX_ATTEMPTS times. 404 and 410: the
  webhook is gone, the channel is turned off at once. Another 4xx: the message failed.
- Every failed attempt counts against the channel; a success resets the count. After
  CHAT_MAX_FAILURES failures in a row the channel is turned off, what waits for it is not
  sent, and those who manage the channels are told in the app.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.roles import ROLE_ACTIONS
from portevoix.core import clock, crypto
from portevoix.networks.base import ConnectorError, guard_url, http_client, retry_at_from_headers

from .. import messages as notice_messages
from .. import services as notification_services
from ..models import Kind
from ..models_chat import ChatConnection, ChatDelivery, DeliveryState
from . import messages

logger = logging.getLogger("portevoix.notifications.chat")

BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
POST_TIMEOUT = 10.0
GONE = {404, 410}
DUE_BATCH = 200


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8... minutes, at most an hour."""
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_MAX)


def deliveries_create(
    *,
    organization_id: int,
    event: str,
    key: str,
    build: Any,
    connections: list[ChatConnection],
    now: dt.datetime | None = None,
) -> list[int]:
    """One delivery per channel for this event, unless that channel already has it.
    `build()` gives the `ChatMessage` (called in the organization's language). Returns the
    new deliveries' ids; each is queued once the transaction commits."""
    now = now or clock.now()
    created: list[int] = []
    if not connections:
        return created
    done = set(
        ChatDelivery.objects.filter(
            connection__in=[c.pk for c in connections], key=key[:120]
        ).values_list("connection_id", flat=True)
    )
    language = account_selectors.organization_language(organization_id=organization_id)
    with translation.override(language):
        message = build()
        for connection in connections:
            if connection.pk in done or not connection.enabled:
                continue
            payload = messages.render(connection.kind, message)
            try:
                with transaction.atomic():
                    delivery = ChatDelivery.objects.create(
                        organization_id=organization_id,
                        connection=connection,
                        event=event,
                        key=key[:120],
                        payload=payload,
                        next_attempt_at=now,
                        created_at=now,
                    )
            except IntegrityError:
                continue  # created at the same moment by another worker
            created.append(delivery.pk)
    if created:
        transaction.on_commit(lambda: _queue(created))
    return created


def _queue(ids: list[int]) -> None:
    from .tasks import chat_deliver

    for pk in ids:
        chat_deliver(pk)


def _post(
    url: str, payload: dict[str, Any], now: dt.datetime
) -> tuple[str, int | None, dt.datetime | None]:
    """("sent" | "retry" | "gone" | "refused", HTTP status, retry-after time)."""
    try:
        guard_url(url)
        with http_client(timeout=httpx.Timeout(POST_TIMEOUT)) as client:
            response = client.post(url, json=payload)
    except ConnectorError:
        return "refused", None, None  # an address we may not reach
    except httpx.HTTPError:
        return "retry", None, None  # timeout, connection refused or reset
    status = response.status_code
    if 200 <= status < 300:
        return "sent", status, None
    if status in GONE:
        return "gone", status, None
    if status == 429 or status >= 500:
        return "retry", status, retry_at_from_headers(response.headers, now)
    return "refused", status, None


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Post one delivery if it is due. Returns what happened (for the task's log)."""
    now = now or clock.now()
    with transaction.atomic():
        delivery = (
            ChatDelivery.objects.select_for_update()
            .select_related("connection")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return "done"
        connection = delivery.connection
        if not connection.enabled:
            delivery.state = DeliveryState.SKIPPED
            delivery.save(update_fields=["state"])
            return "skipped"
        if delivery.next_attempt_at > now:
            return "later"
        # The claim is one conditional UPDATE: of two workers, only one moves it from
        # pending to sending (also on SQLite, where select_for_update locks nothing).
        claimed = ChatDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            return "done"
        delivery.attempts += 1
    try:
        url = crypto.decrypt(connection.webhook_sealed)
    except crypto.DecryptionError:
        outcome, status, retry_at = "refused", None, None
    else:
        outcome, status, retry_at = _post(url, delivery.payload, now)
    _record(delivery.pk, outcome, status, retry_at, now)
    logger.info(
        "chat_delivery",
        extra={
            "organization_id": delivery.organization_id,
            "delivery_id": delivery.pk,
            "outcome": outcome,
            "status": status,
        },
    )
    return outcome


def _record(
    delivery_id: int,
    outcome: str,
    status: int | None,
    retry_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    with transaction.atomic():
        delivery = ChatDelivery.objects.select_for_update().get(pk=delivery_id)
        connection = ChatConnection.objects.select_for_update().get(pk=delivery.connection_id)
        delivery.last_status = status
        if outcome == "sent":
            delivery.state = DeliveryState.SENT
            delivery.sent_at = now
            if connection.consecutive_failures:
                connection.consecutive_failures = 0
                connection.save(update_fields=["consecutive_failures"])
        else:
            connection.consecutive_failures += 1
            connection.save(update_fields=["consecutive_failures"])
            if outcome == "retry" and delivery.attempts < settings.CHAT_MAX_ATTEMPTS:
                delivery.state = DeliveryState.PENDING
                wait = now + backoff(delivery.attempts)
                delivery.next_attempt_at = max(wait, retry_at) if retry_at else wait
            else:
                delivery.state = DeliveryState.FAILED
        delivery.save(update_fields=["state", "sent_at", "last_status", "next_attempt_at"])
        if outcome == "gone":
            connection_disable(connection=connection, reason="gone", now=now)
        elif connection.consecutive_failures >= settings.CHAT_MAX_FAILURES:
            connection_disable(connection=connection, reason="failures", now=now)


def connection_disable(*, connection: ChatConnection, reason: str, now: dt.datetime) -> None:
    """Turn a failing channel off (inside the caller's transaction): what waits for it is
    not sent, and those who manage the channels are told in the app."""
    if not connection.enabled:
        return
    connection.enabled = False
    connection.disabled_reason = reason
    connection.updated_at = now
    connection.save(update_fields=["enabled", "disabled_reason", "updated_at"])
    ChatDelivery.objects.filter(connection=connection, state=DeliveryState.PENDING).update(
        state=DeliveryState.SKIPPED
    )
    roles = [role for role, actions in ROLE_ACTIONS.items() if "chat.manage" in actions]
    managers = account_selectors.active_members_with_roles(
        organization_id=connection.organization_id, roles=roles
    ).values_list("pk", flat=True)
    name, gone = connection.name, reason == "gone"

    def build(tz: dt.tzinfo) -> notice_messages.Message:
        from django.urls import reverse

        return notice_messages.Message(
            title=_("The channel “%(name)s” was turned off") % {"name": name[:80]},
            body=(
                _("Its webhook no longer exists (404 or 410). Paste a new webhook address.")
                if gone
                else _("Its webhook failed %(count)d times in a row. Check it, then turn it on.")
                % {"count": settings.CHAT_MAX_FAILURES}
            ),
            url=reverse("notifications:chat"),
        )

    notification_services.notify(
        organization_id=connection.organization_id,
        membership_ids=list(managers),
        kind=Kind.CHAT_DISABLED,
        dedupe_key=f"chat:{connection.pk}:off:{int(now.timestamp())}",
        build=build,
        now=now,
    )


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    """Deliveries waiting for their (next) attempt, oldest first."""
    now = now or clock.now()
    return list(
        ChatDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
