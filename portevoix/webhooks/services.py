"""Every write of outgoing webhooks: the endpoints (add, change, rotate the secret, remove),
the events queued for them, and the test event.

The endpoints are managed with `webhooks.manage` (administrators) and audited: never the
secret, which is sealed with `core.crypto` and shown once, on creation and on rotation.
An endpoint's URL is https (http only for a host of SOCIAL_ALLOWED_PRIVATE_HOSTS, the local
test peers) and must not lead to a private address (`networks.base.guard_url` now, and the
guarded HTTP client again at each delivery: DNS rebinding). Sending is in `delivery.py`.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.networks import base

from .events import EVENT_TYPES, TEST_EVENT, Event
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, not a secret
SECRET_BYTES = 32
MAX_ENDPOINTS = 20


@dataclass
class EndpointData:
    url: str
    event_types: list[str] = field(default_factory=list)
    description: str = ""
    enabled: bool = True


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes it: `whsec_` + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    return crypto.decrypt(endpoint.secret_sealed)


def _clean(data: EndpointData) -> tuple[EndpointData, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    url = data.url.strip()
    try:
        base.guard_url(url)
    except base.UnsafeAddress as exc:
        errors["url"] = [exc.user_message]
    types = [t for t in dict.fromkeys(data.event_types) if t in EVENT_TYPES]
    if not types:
        errors["event_types"] = [_("Choose at least one event.")]
    clean = EndpointData(
        url=url, event_types=types, description=data.description.strip()[:200], enabled=data.enabled
    )
    return clean, errors


def _described(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
    }


def _audit(
    actor: Any,
    action: str,
    endpoint: WebhookEndpoint,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    gates.audit_record(
        organization=endpoint.organization,
        actor=actor,
        action=action,
        object_type="webhook_endpoint",
        object_id=endpoint.pk,
        before=before,
        after=after,
    )


def endpoint_create(*, actor: Membership, data: EndpointData) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint. Returns it with its signing secret (shown once, never again)."""
    require(actor, "webhooks.manage")
    data, errors = _clean(data)
    if errors:
        raise DomainError(_("The endpoint has errors."), field_errors=errors)
    with transaction.atomic():
        if scoped(WebhookEndpoint, actor.organization_id).count() >= MAX_ENDPOINTS:
            raise DomainError(_("At most %(count)d endpoints.") % {"count": MAX_ENDPOINTS})
        secret = new_secret()
        now = clock.now()
        endpoint = WebhookEndpoint.objects.create(
            organization_id=actor.organization_id,
            url=data.url,
            description=data.description,
            event_types=data.event_types,
            enabled=data.enabled,
            secret_sealed=crypto.encrypt(secret),
            created_at=now,
            updated_at=now,
        )
        _audit(actor, "webhooks.endpoint_created", endpoint, None, _described(endpoint))
    return endpoint, secret


def endpoint_update(
    *, actor: Membership, endpoint: WebhookEndpoint, data: EndpointData
) -> WebhookEndpoint:
    """Change the URL, the events, the description or turn it on or off. Turning it on again
    starts its count of failures afresh."""
    require(actor, "webhooks.manage", endpoint)
    data, errors = _clean(data)
    if errors:
        raise DomainError(_("The endpoint has errors."), field_errors=errors)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _described(endpoint)
        endpoint.url = data.url
        endpoint.description = data.description
        endpoint.event_types = data.event_types
        fields = ["url", "description", "event_types", "updated_at"]
        if data.enabled != endpoint.enabled:
            endpoint.enabled = data.enabled
            fields.append("enabled")
            if data.enabled:
                endpoint.consecutive_failures = 0
                endpoint.auto_disabled_at = None
                fields += ["consecutive_failures", "auto_disabled_at"]
        endpoint.updated_at = clock.now()
        endpoint.save(update_fields=fields)
        after = _described(endpoint)
        if after != before:
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            if set(changed) != {"enabled"}:
                _audit(actor, "webhooks.endpoint_changed", endpoint, before, after)
            if "enabled" in changed:
                action = (
                    "webhooks.endpoint_enabled" if data.enabled else "webhooks.endpoint_disabled"
                )
                _audit(
                    actor,
                    action,
                    endpoint,
                    {"enabled": before["enabled"]},
                    {"enabled": data.enabled},
                )
    return endpoint


def secret_rotate(*, actor: Membership, endpoint: WebhookEndpoint) -> str:
    """A new signing secret, at once (the old one no longer signs). Returned to show once."""
    require(actor, "webhooks.manage", endpoint)
    secret = new_secret()
    with transaction.atomic():
        endpoint.secret_sealed = crypto.encrypt(secret)
        endpoint.updated_at = clock.now()
        endpoint.save(update_fields=["secret_sealed", "updated_at"])
        _audit(actor, "webhooks.secret_rotated", endpoint, None, {"rotated": True})
    return secret


def endpoint_delete(*, actor: Membership, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log."""
    require(actor, "webhooks.manage", endpoint)
    with transaction.atomic():
        before = _described(endpoint)
        pk = endpoint.pk
        endpoint.delete()
        endpoint.pk = pk
        _audit(actor, "webhooks.endpoint_deleted", endpoint, before, None)


# --------------------------------------------------------------------------- events


def event_publish(event: Event) -> list[int]:
    """Queue `event` for every enabled endpoint of its organization that subscribed to its
    type: one delivery each, made once whatever the number of announcements (the event id is
    stable). The deliveries are sent once the transaction commits. Returns the new ones."""
    endpoints = [
        e
        for e in scoped(WebhookEndpoint, event.organization_id).filter(enabled=True)
        if event.type in e.event_types
    ]
    return _queue(event, endpoints)


def _queue(event: Event, endpoints: list[WebhookEndpoint]) -> list[int]:
    if not endpoints:
        return []
    now = clock.now()
    body = event.body(now)
    with transaction.atomic():
        already = set(
            WebhookDelivery.objects.filter(endpoint__in=endpoints, event_id=event.id).values_list(
                "endpoint_id", flat=True
            )
        )
        rows = [
            WebhookDelivery(
                organization_id=event.organization_id,
                endpoint=endpoint,
                event_id=event.id,
                event_type=event.type,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
            for endpoint in endpoints
            if endpoint.pk not in already
        ]
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            WebhookDelivery.objects.filter(
                endpoint__in=[r.endpoint_id for r in rows],
                event_id=event.id,
                state=DeliveryState.PENDING,
                attempts=0,
            ).values_list("pk", flat=True)
        )
    if ids:
        transaction.on_commit(lambda: _send_soon(ids))
    return ids


def _send_soon(ids: list[int]) -> None:
    from .tasks import deliver

    for pk in ids:
        deliver(pk)


def test_event_send(*, actor: Membership, endpoint: WebhookEndpoint) -> int:
    """Send a test event to the endpoint now (even while it is turned off)."""
    require(actor, "webhooks.manage", endpoint)
    event = Event(
        organization_id=endpoint.organization_id,
        type=TEST_EVENT,
        key=uuid.uuid4().hex,
        data={"endpoint_id": endpoint.pk, "organization_id": endpoint.organization_id},
    )
    return _queue(event, [endpoint])[0]
