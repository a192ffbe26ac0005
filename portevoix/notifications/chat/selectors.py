"""Reads of the Slack and Teams channels: for the events (enabled channels taking one) and
for the admins' page (channels with their recent deliveries, the Slack app's state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from portevoix.accounts.permissions import require
from portevoix.core.tenancy import get_scoped, scoped

from ..models_chat import ChatConnection, ChatDelivery, SlackApp

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

RECENT_DELIVERIES = 5


def enabled_connections(*, organization_id: int, event: str | None = None) -> list[ChatConnection]:
    """The organization's channels that are on (and take `event`, when given)."""
    found = list(scoped(ChatConnection, organization_id).filter(enabled=True).order_by("pk"))
    return [c for c in found if event is None or event in (c.events or [])]


def organizations_with_event(*, event: str) -> list[int]:
    """Organizations with at least one channel on that takes `event`."""
    rows = ChatConnection.objects.filter(enabled=True).values_list("organization_id", "events")
    return sorted({org for org, events in rows if event in (events or [])})


@dataclass
class ChatPage:
    connections: list[ChatConnection]
    slack_secret_set: bool
    slack_token_set: bool


def chat_page(*, membership: Membership) -> ChatPage:
    """The channels (each with its last deliveries as `recent`) and the Slack app's state,
    in three queries."""
    require(membership, "chat.manage")
    connections = list(scoped(ChatConnection, membership.organization_id))
    latest = scoped(ChatDelivery, membership.organization_id).order_by("-created_at", "-pk")
    by_connection: dict[int, list[ChatDelivery]] = {c.pk: [] for c in connections}
    for row in latest[: RECENT_DELIVERIES * max(1, len(connections)) * 4]:
        rows = by_connection.get(row.connection_id)
        if rows is not None and len(rows) < RECENT_DELIVERIES:
            rows.append(row)
    for connection in connections:
        connection.recent = by_connection[connection.pk]  # type: ignore[attr-defined]
    app = scoped(SlackApp, membership.organization_id).first()
    return ChatPage(
        connections=connections,
        slack_secret_set=bool(app and app.signing_secret_sealed),
        slack_token_set=bool(app and app.bot_token_sealed),
    )


def connection_of(*, membership: Membership, pk: int) -> ChatConnection:
    require(membership, "chat.manage")
    return get_scoped(ChatConnection, membership.organization_id, pk=pk)
