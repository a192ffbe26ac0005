"""Every write of the Slack and Teams page: channels (add, change, turn on again, delete,
send a test message) and the organization's Slack app (signing secret, bot token). Each is
checked with `chat.manage` and leaves an audit row (never the secret itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from ..models_chat import ChatConnection, ChatEvent, ChatKind, SlackApp
from . import delivery, messages

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

TEST_EVENT = "test"
MAX_SECRET = 500


@dataclass
class ConnectionData:
    kind: str
    name: str
    webhook_url: str = ""  # empty on a change: keep the current one
    events: list[str] = field(default_factory=list)


def _webhook_host(url: str) -> str:
    """The webhook's host, when the address is one we may post to (https; http only for
    the hosts of SOCIAL_ALLOWED_PRIVATE_HOSTS, the tests' local receivers)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in settings.SOCIAL_ALLOWED_PRIVATE_HOSTS}
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    ok_scheme = parts.scheme == "https" or (
        parts.scheme == "http" and (host in allowed or netloc in allowed)
    )
    if not host or not ok_scheme or parts.username or parts.password or len(url) > 2000:
        return ""
    return host


def _clean(data: ConnectionData, *, new: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in ChatKind.values:
        errors["kind"] = [_("Choose Slack or Microsoft Teams.")]
    if not data.name.strip():
        errors["name"] = [_("Name the channel, for example #ambassadors.")]
    if (new or data.webhook_url) and not _webhook_host(data.webhook_url):
        errors["webhook_url"] = [_("Paste the webhook's https:// address.")]
    if set(data.events) - set(ChatEvent.values):
        errors["events"] = [_("Unknown event.")]
    return errors


def connection_create(*, actor: Membership, data: ConnectionData) -> ChatConnection:
    require(actor, "chat.manage")
    if errors := _clean(data, new=True):
        raise DomainError(_("The channel has errors."), field_errors=errors)
    now = clock.now()
    with transaction.atomic():
        connection = ChatConnection.objects.create(
            organization_id=actor.organization_id,
            kind=data.kind,
            name=data.name.strip()[:80],
            webhook_sealed=crypto.encrypt(data.webhook_url.strip()),
            webhook_host=_webhook_host(data.webhook_url),
            events=sorted(set(data.events)),
            created_at=now,
            updated_at=now,
        )
        _audit(actor, "chat.connection_added", connection, None, _described(connection))
    return connection


def connection_update(*, actor: Membership, pk: int, data: ConnectionData) -> ChatConnection:
    """Change a channel. A new webhook address turns it on again."""
    require(actor, "chat.manage")
    if errors := _clean(data, new=False):
        raise DomainError(_("The channel has errors."), field_errors=errors)
    with transaction.atomic():
        connection = get_scoped(
            ChatConnection.objects.select_for_update(), actor.organization_id, pk=pk
        )
        before = _described(connection)
        connection.kind = data.kind
        connection.name = data.name.strip()[:80]
        connection.events = sorted(set(data.events))
        if data.webhook_url:
            connection.webhook_sealed = crypto.encrypt(data.webhook_url.strip())
            connection.webhook_host = _webhook_host(data.webhook_url)
            connection.enabled, connection.disabled_reason = True, ""
            connection.consecutive_failures = 0
        connection.updated_at = clock.now()
        connection.save()
        after = _described(connection) | {"webhook_changed": bool(data.webhook_url)}
        _audit(actor, "chat.connection_changed", connection, before, after)
    return connection


def connection_enable(*, actor: Membership, pk: int) -> ChatConnection:
    """Turn a channel that was turned off on again (its failure count starts over)."""
    require(actor, "chat.manage")
    with transaction.atomic():
        connection = get_scoped(
            ChatConnection.objects.select_for_update(), actor.organization_id, pk=pk
        )
        connection.enabled, connection.disabled_reason = True, ""
        connection.consecutive_failures = 0
        connection.updated_at = clock.now()
        connection.save(
            update_fields=["enabled", "disabled_reason", "consecutive_failures", "updated_at"]
        )
        _audit(actor, "chat.connection_enabled", connection, None, _described(connection))
    return connection


def connection_delete(*, actor: Membership, pk: int) -> None:
    require(actor, "chat.manage")
    with transaction.atomic():
        connection = get_scoped(ChatConnection, actor.organization_id, pk=pk)
        _audit(actor, "chat.connection_deleted", connection, _described(connection), None)
        connection.delete()


def connection_test(*, actor: Membership, pk: int) -> int:
    """Queue a test message to the channel (posted from the queue, like every message).
    Returns the delivery's id."""
    require(actor, "chat.manage")
    with transaction.atomic():
        connection = get_scoped(ChatConnection, actor.organization_id, pk=pk)
        if not connection.enabled:
            raise DomainError(_("Turn the channel on first."))
        now = clock.now()
        name = connection.name
        created = delivery.deliveries_create(
            organization_id=actor.organization_id,
            event=TEST_EVENT,
            key=f"test:{now.strftime('%Y%m%d%H%M%S%f')}",
            build=lambda: messages.test_message(name),
            connections=[connection],
            now=now,
        )
        _audit(actor, "chat.connection_tested", connection, None, None)
    return created[0] if created else 0


def slack_app_update(
    *, actor: Membership, signing_secret: str = "", bot_token: str = "", clear: bool = False
) -> SlackApp:
    """The organization's Slack app: an empty field keeps the current secret; `clear`
    forgets both."""
    require(actor, "chat.manage")
    secret, token = signing_secret.strip(), bot_token.strip()
    if len(secret) > MAX_SECRET or len(token) > MAX_SECRET:
        raise DomainError(_("This is too long for a Slack secret."))
    if token and not token.startswith("xoxb-"):
        message = _("A bot token starts with xoxb-.")
        raise DomainError(message, field_errors={"bot_token": [message]})
    with transaction.atomic():
        app = scoped(SlackApp.objects.select_for_update(), actor.organization_id).first()
        if app is None:
            app = SlackApp(organization_id=actor.organization_id, updated_at=clock.now())
        if clear:
            app.signing_secret_sealed = app.bot_token_sealed = ""
        if secret:
            app.signing_secret_sealed = crypto.encrypt(secret)
        if token:
            app.bot_token_sealed = crypto.encrypt(token)
        app.updated_at = clock.now()
        app.save()
        gates.audit_record(
            organization=actor.organization,
            actor=actor,
            action="chat.slack_app_set",
            object_type="slack_app",
            object_id=app.pk,
            before=None,
            after={
                "signing_secret_changed": bool(secret) or clear,
                "bot_token_changed": bool(token) or clear,
            },
        )
    return app


def _described(connection: ChatConnection) -> dict[str, object]:
    return {
        "kind": connection.kind,
        "name": connection.name,
        "host": connection.webhook_host,
        "events": list(connection.events or []),
        "enabled": connection.enabled,
    }


def _audit(
    actor: Membership,
    action: str,
    connection: ChatConnection,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action=action,
        object_type="chat_connection",
        object_id=connection.pk,
        before=before,
        after=after,
    )
