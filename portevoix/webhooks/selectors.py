"""Reads of outgoing webhooks: the admins' list of endpoints, one endpoint, its log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from .models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

LOG_SIZE = 50


def endpoints_page(*, membership: Membership) -> list[WebhookEndpoint]:
    """The organization's endpoints, for its admins (`webhooks.manage`, or 403)."""
    require(membership, "webhooks.manage")
    return list(scoped(WebhookEndpoint, membership.organization_id).order_by("created_at", "pk"))


def endpoint_of(*, membership: Membership, pk: int) -> WebhookEndpoint:
    """The endpoint `pk` of the member's organization (404 for any other), for its admins."""
    endpoint = get_scoped(WebhookEndpoint, membership.organization_id, pk=pk)
    require(membership, "webhooks.manage", endpoint)
    return endpoint


def delivery_log(*, endpoint: WebhookEndpoint, limit: int = LOG_SIZE) -> QuerySet[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first (the body is not read)."""
    return (
        scoped(WebhookDelivery, endpoint.organization_id)
        .filter(endpoint=endpoint)
        .defer("body")
        .order_by("-created_at", "-pk")[:limit]
    )


def subscribed(*, organization_id: int, event_type: str) -> bool:
    """Does an enabled endpoint of the organization want this type of event?"""
    rows = scoped(WebhookEndpoint, organization_id).filter(enabled=True)
    return any(event_type in types for types in rows.values_list("event_types", flat=True))
