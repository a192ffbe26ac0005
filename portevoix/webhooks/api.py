"""API router of outgoing webhooks (the `webhooks` area): the organization's endpoints (list,
add, change, remove, rotate the secret, send a test event) and each one's delivery log.

What the pages under /settings/webhooks/ offer, for administrators (`webhooks.manage`):
the same selectors and services, so the same checks (another organization's endpoint is a
404, the URL is https and leads to no private address, every change is audited). A signing
secret is in the answer that made it (creation, rotation), never again, and that answer is
not cached. See docs/decisions/0018-outgoing-webhooks.md.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic.json_schema import JsonDict

from portevoix.accounts.permissions import require
from portevoix.core.api_support import DbId, StrictBool, Text, responses
from portevoix.core.api_support import membership as api_membership
from portevoix.core.errors import DomainError

from . import selectors, services
from .events import EVENT_TYPES
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

router = Router(tags=["webhooks"])

EVENT_ENUM: JsonDict = {"enum": list(EVENT_TYPES)}
STATE_ENUM: JsonDict = {"enum": list(DeliveryState.values)}
MAX_URL = 500
MAX_DESCRIPTION = 200

EventType = Annotated[Text, Field(max_length=60, json_schema_extra=EVENT_ENUM)]
EndpointUrl = Annotated[
    Text, Field(min_length=1, max_length=MAX_URL, description="https:// on the internet")
]


def _membership(request: HttpRequest) -> Membership:
    return cast("Membership", api_membership(request))


def _check_url(url: str) -> None:
    """The page's URL field refuses what is not a URL before the service's guard (https
    only, no private address) runs: the API does the same, with the same message."""
    try:
        URLValidator(schemes=["http", "https"])(url.strip())
    except ValidationError as exc:
        message = _("Enter a valid URL.")
        raise DomainError(message, field_errors={"url": [message]}) from exc


def _check_events(types: list[str]) -> None:
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        message = _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}
        raise DomainError(message, field_errors={"event_types": [message]})


# --- Schemas


class WebhookEndpointIn(Schema):
    url: EndpointUrl
    event_types: list[EventType] = Field(..., min_length=1, max_length=len(EVENT_TYPES))
    description: Annotated[Text, Field(max_length=MAX_DESCRIPTION)] = ""
    enabled: StrictBool = True


class WebhookEndpointPatchIn(Schema):
    """Only the fields given change."""

    url: EndpointUrl | None = None
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENT_TYPES))
    description: Annotated[Text, Field(max_length=MAX_DESCRIPTION)] | None = None
    enabled: StrictBool | None = Field(
        None, description="Turning it on again starts its count of failures afresh"
    )


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    consecutive_failures: int = Field(
        ..., description="Deliveries failed after every retry in a row (turned off at 5)"
    )
    auto_disabled_at: dt.datetime | None = Field(
        ..., description="When it was turned off after repeated failures"
    )


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(..., description="The signing secret (whsec_...): shown this once")


class WebhookSecretOut(Schema):
    endpoint_id: int
    secret: str = Field(..., description="The new signing secret: shown this once")


class WebhookTestOut(Schema):
    delivery_id: int = Field(..., description="Its row in the endpoint's delivery log")


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    state: str = Field(..., json_schema_extra=STATE_ENUM)
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    response_status: int | None
    response_excerpt: str = Field(..., description="At most the first 200 characters")


class WebhookDeliveryQuery(Schema):
    limit: int = Field(selectors.LOG_SIZE, ge=1, le=selectors.LOG_SIZE)


def _endpoint_out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.pk,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
        consecutive_failures=endpoint.consecutive_failures,
        auto_disabled_at=endpoint.auto_disabled_at,
    )


def _delivery_out(row: WebhookDelivery) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=row.pk,
        event_id=row.event_id,
        event_type=row.event_type,
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
        response_status=row.response_status,
        response_excerpt=row.response_excerpt,
    )


# --- Endpoints


@router.get("/webhooks/endpoints", response=responses({200: list[WebhookEndpointOut]}))
def endpoint_list(request: HttpRequest) -> list[WebhookEndpointOut]:
    """The organization's endpoints, oldest first (administrators; at most 20)."""
    return [_endpoint_out(e) for e in selectors.endpoints_page(membership=_membership(request))]


@router.post("/webhooks/endpoints", response=responses({201: WebhookEndpointCreatedOut}))
def endpoint_create(
    request: HttpRequest, response: HttpResponse, payload: WebhookEndpointIn
) -> Status[WebhookEndpointCreatedOut]:
    """Add an endpoint (administrators). The answer carries its signing secret, once."""
    membership = _membership(request)
    require(membership, "webhooks.manage")  # 403 before the body's errors
    _check_url(payload.url)
    _check_events(list(payload.event_types))
    endpoint, secret = services.endpoint_create(
        actor=membership,
        data=services.EndpointData(
            url=payload.url,
            event_types=list(payload.event_types),
            description=payload.description,
            enabled=payload.enabled,
        ),
    )
    add_never_cache_headers(response)
    out = _endpoint_out(endpoint)
    return Status(201, WebhookEndpointCreatedOut(**out.model_dump(), secret=secret))


@router.get("/webhooks/endpoints/{endpoint_id}", response=responses({200: WebhookEndpointOut}))
def endpoint_detail(request: HttpRequest, endpoint_id: DbId) -> WebhookEndpointOut:
    return _endpoint_out(selectors.endpoint_of(membership=_membership(request), pk=endpoint_id))


@router.patch("/webhooks/endpoints/{endpoint_id}", response=responses({200: WebhookEndpointOut}))
def endpoint_update(
    request: HttpRequest, endpoint_id: DbId, payload: WebhookEndpointPatchIn
) -> WebhookEndpointOut:
    """Change the URL, the events, the description, or turn it on or off."""
    membership = _membership(request)
    endpoint = selectors.endpoint_of(membership=membership, pk=endpoint_id)  # 404, 403
    if payload.url is not None:
        _check_url(payload.url)
    if payload.event_types is not None:
        _check_events(list(payload.event_types))
    data = services.EndpointData(
        url=endpoint.url if payload.url is None else payload.url,
        event_types=list(
            endpoint.event_types if payload.event_types is None else payload.event_types
        ),
        description=endpoint.description if payload.description is None else payload.description,
        enabled=endpoint.enabled if payload.enabled is None else payload.enabled,
    )
    return _endpoint_out(services.endpoint_update(actor=membership, endpoint=endpoint, data=data))


@router.delete("/webhooks/endpoints/{endpoint_id}", response=responses({204: None}))
def endpoint_delete(request: HttpRequest, endpoint_id: DbId) -> Status[None]:
    """Remove the endpoint and its delivery log."""
    membership = _membership(request)
    endpoint = selectors.endpoint_of(membership=membership, pk=endpoint_id)
    services.endpoint_delete(actor=membership, endpoint=endpoint)
    return Status(204, None)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/rotate-secret", response=responses({200: WebhookSecretOut})
)
def secret_rotate(
    request: HttpRequest, response: HttpResponse, endpoint_id: DbId
) -> WebhookSecretOut:
    """A new signing secret, at once (the old one no longer signs); shown this once."""
    membership = _membership(request)
    endpoint = selectors.endpoint_of(membership=membership, pk=endpoint_id)
    secret = services.secret_rotate(actor=membership, endpoint=endpoint)
    add_never_cache_headers(response)
    return WebhookSecretOut(endpoint_id=endpoint.pk, secret=secret)


@router.post("/webhooks/endpoints/{endpoint_id}/test", response=responses({202: WebhookTestOut}))
def test_send(request: HttpRequest, endpoint_id: DbId) -> Status[WebhookTestOut]:
    """Send a `webhook.test` event to the endpoint now (even while it is turned off); its
    result shows in the delivery log."""
    membership = _membership(request)
    endpoint = selectors.endpoint_of(membership=membership, pk=endpoint_id)
    delivery_id = services.test_event_send(actor=membership, endpoint=endpoint)
    return Status(202, WebhookTestOut(delivery_id=delivery_id))


@router.get(
    "/webhooks/endpoints/{endpoint_id}/deliveries",
    response=responses({200: list[WebhookDeliveryOut]}),
)
def delivery_list(
    request: HttpRequest, endpoint_id: DbId, filters: Query[WebhookDeliveryQuery]
) -> list[WebhookDeliveryOut]:
    """The endpoint's latest deliveries, newest first (at most 50): state, attempts, the
    status and the start of the last answer, the next attempt. Never the body."""
    endpoint = selectors.endpoint_of(membership=_membership(request), pk=endpoint_id)
    return [
        _delivery_out(r) for r in selectors.delivery_log(endpoint=endpoint, limit=filters.limit)
    ]
