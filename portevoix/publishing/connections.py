"""Connecting accounts: OAuth (state + PKCE), Bluesky app passwords, token refresh, disconnect.

Tokens never leave this module in clear except inside a `ConnectionCtx` handed to a
connector for one series of calls. They are stored sealed (`tokens.seal`).

Refresh is serialized per connection by a lease row update (`refreshing_until`), not by a
database lock held across the network call: rotating refresh tokens (X) are single-use, so
two workers refreshing at once would make the network revoke the loser's token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portevoix import networks as connectors
from portevoix.accounts import frame
from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.networks.base import (
    Account,
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    ConnectorError,
    TokenSet,
    guard_url,
)

from . import signals
from .models import (
    OPEN_STATES,
    Connection,
    ConnectionStatus,
    MastodonApp,
    NetworkApp,
    OAuthState,
    Post,
    PostState,
)
from .tokens import seal, unseal

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.publishing")

STATE_TTL = dt.timedelta(minutes=10)
REFRESH_LEASE = dt.timedelta(seconds=30)
OAUTH_NETWORKS = (Network.LINKEDIN, Network.X, Network.MASTODON, Network.THREADS, Network.FACEBOOK)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _check_network(network: str) -> None:
    if network not in Network.ALL:
        raise NotFound(_("Not found."))


# --------------------------------------------------------------------------- app credentials


def client_credentials(organization_id: int, network: str, redirect_uri: str) -> ClientCredentials:
    """The organization's own app for `network`, else the platform's (environment)."""
    app = scoped(NetworkApp, organization_id).filter(network=network).first()
    if app is not None and app.client_id:
        secret = crypto.decrypt(app.client_secret_encrypted) if app.client_secret_encrypted else ""
        return ClientCredentials(app.client_id, secret, redirect_uri)
    configured = settings.SOCIAL_APPS.get(network, {})
    if configured.get("client_id"):
        return ClientCredentials(
            configured["client_id"], configured.get("client_secret", ""), redirect_uri
        )
    raise DomainError(
        _(
            "%(network)s is not set up on this platform yet: an administrator must enter the "
            "app's client id and secret (Connected accounts → Network apps)."
        )
        % {"network": Network.LABELS[network]}
    )


@transaction.atomic
def network_app_set(
    *, actor: Membership, network: str, client_id: str, client_secret: str
) -> NetworkApp | None:
    """Set (or with an empty client id, remove) the organization's own app for a network.
    An empty secret keeps the stored one."""
    require(actor, "publishing.apps")
    if network not in (Network.LINKEDIN, Network.X, Network.THREADS, Network.FACEBOOK):
        raise DomainError(_("This network needs no app settings."))
    client_id = client_id.strip()
    if len(client_id) > 300 or len(client_secret) > 500:
        raise DomainError(_("Too long."), field_errors={"client_id": [_("Too long.")]})
    qs = scoped(NetworkApp, actor.organization_id).filter(network=network)
    if not client_id:
        qs.delete()
        return None
    app = qs.first() or NetworkApp(organization_id=actor.organization_id, network=network)
    app.client_id = client_id
    if client_secret.strip():
        app.client_secret_encrypted = crypto.encrypt(client_secret.strip())
    app.save()
    gates.audit_record(
        organization=actor.organization,
        actor=actor,
        action="publishing.app_set",
        object_type="network_app",
        object_id=network,
        before=None,
        after={"network": network, "client_id": client_id},
    )
    return app


def mastodon_app_register(*, instance: str, redirect_uri: str) -> ClientCredentials:
    """Our app on a Mastodon instance: registered once (POST /api/v1/apps), then cached."""
    found = MastodonApp.objects.filter(instance=instance, redirect_uri=redirect_uri).first()
    if found is None:
        connector = connectors.get(Network.MASTODON)
        registered: ClientCredentials = connector.register_app(instance, redirect_uri)  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                found = MastodonApp.objects.create(
                    instance=instance,
                    redirect_uri=redirect_uri,
                    client_id=registered.client_id,
                    client_secret_encrypted=crypto.encrypt(registered.client_secret),
                )
        except IntegrityError:  # registered by a concurrent request: use theirs
            found = MastodonApp.objects.get(instance=instance, redirect_uri=redirect_uri)
    return ClientCredentials(
        found.client_id, crypto.decrypt(found.client_secret_encrypted), redirect_uri
    )


def _credentials(
    organization_id: int, network: str, redirect_uri: str, instance: str
) -> ClientCredentials:
    if network == Network.MASTODON:
        return mastodon_app_register(instance=instance, redirect_uri=redirect_uri)
    return client_credentials(organization_id, network, redirect_uri)


# --------------------------------------------------------------------------- OAuth


def connection_authorize_start(
    *, membership: Membership, network: str, redirect_uri: str, instance: str = ""
) -> str:
    """Begin an authorization: remember a single-use state (and PKCE verifier) and give the
    network's authorization URL to send the member to."""
    require(membership, "share.create")
    _check_network(network)
    if network not in OAUTH_NETWORKS:
        raise DomainError(_("This network connects with an app password, not a redirect."))
    if network == Network.MASTODON:
        if not instance.strip():
            message = _("Enter your Mastodon server, e.g. mastodon.social.")
            raise DomainError(message, field_errors={"instance": [message]})
        raw = instance.strip()
        if "://" not in raw:
            raw = f"https://{raw}"
        try:
            instance = guard_url(raw)
        except ConnectorError as exc:
            raise DomainError(
                exc.user_message, field_errors={"instance": [exc.user_message]}
            ) from exc
    connector = connectors.get(network)
    try:
        client = _credentials(membership.organization_id, network, redirect_uri, instance)
    except ConnectorError as exc:
        raise DomainError(exc.user_message) from exc
    state = secrets.token_urlsafe(32)
    verifier = generate_token(64) if (connector.uses_pkce or network == Network.MASTODON) else ""
    now = clock.now()
    OAuthState.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        network=network,
        state_hash=_hash(state),
        code_verifier_encrypted=crypto.encrypt(verifier) if verifier else "",
        instance=instance,
        redirect_uri=redirect_uri,
        created_at=now,
        expires_at=now + STATE_TTL,
    )
    return connector.authorize_url(
        client,
        state=state,
        code_challenge=create_s256_code_challenge(verifier) if verifier else "",
        instance=instance,
    )


def _claim_state(*, membership: Membership, network: str, state: str) -> OAuthState:
    """The state of an authorization this member started, once: a second use, another
    member's state, an expired one or a made-up one is refused."""
    now = clock.now()
    found = OAuthState.objects.filter(state_hash=_hash(state or "")).first()
    if (
        found is None
        or found.membership_id != membership.pk
        or found.network != network
        or found.expires_at < now
    ):
        raise PermissionDenied(_("This authorization is not valid or has expired. Try again."))
    used = OAuthState.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now)
    if not used:
        raise PermissionDenied(_("This authorization was already used. Try again."))
    return found


def connection_authorize_finish(
    *, membership: Membership, network: str, state: str, code: str = "", error: str = ""
) -> list[Connection]:
    """The network sent the member back: check the state, exchange the code (with the PKCE
    verifier), find out who the token speaks for, and keep the tokens (sealed)."""
    _check_network(network)
    pending = _claim_state(membership=membership, network=network, state=state)
    if error or not code:
        raise DomainError(
            _("The connection was not authorized on %(network)s.")
            % {"network": Network.LABELS[network]}
        )
    connector = connectors.get(network)
    verifier = (
        crypto.decrypt(pending.code_verifier_encrypted) if pending.code_verifier_encrypted else ""
    )
    try:
        client = _credentials(
            membership.organization_id, network, pending.redirect_uri, pending.instance
        )
        tokens = connector.exchange_code(
            client, code=code, code_verifier=verifier, instance=pending.instance
        )
        accounts = connector.accounts(tokens, client=client, instance=pending.instance)
    except ConnectorError as exc:
        logger.warning("connect_failed network=%s detail=%s", network, exc.detail[:300])
        raise DomainError(exc.user_message) from exc
    if not accounts:
        raise DomainError(_("No account to publish to was found with this authorization."))
    return [
        _store(
            membership=membership,
            network=network,
            account=account,
            tokens=account.tokens or tokens,
            instance=pending.instance,
        )
        for account in accounts
    ]


def connection_bluesky_connect(
    *, membership: Membership, identifier: str, app_password: str, service: str = ""
) -> Connection:
    """Connect a Bluesky account with its handle and an app password (never the account's
    main password: Bluesky's settings make app passwords). The password is not stored: only
    the session tokens it gives."""
    require(membership, "share.create")
    identifier = identifier.strip().lstrip("@")
    if not identifier or not app_password.strip():
        message = _("Enter your handle and an app password.")
        raise DomainError(message, field_errors={"identifier": [message]})
    raw = service.strip() or connectors.base.endpoints(Network.BLUESKY).get(
        "service", "https://bsky.social"
    )
    if "://" not in raw:
        raw = f"https://{raw}"
    try:
        service_url = guard_url(raw)
        connector = connectors.get(Network.BLUESKY)
        tokens, account = connector.login(service_url, identifier, app_password.strip())  # type: ignore[attr-defined]
    except ConnectorError as exc:
        raise DomainError(
            exc.user_message, field_errors={"identifier": [exc.user_message]}
        ) from exc
    instance = str(tokens.extra.get("pds") or service_url)
    return _store(
        membership=membership,
        network=Network.BLUESKY,
        account=account,
        tokens=tokens,
        instance=instance,
    )


@transaction.atomic
def _store(
    *, membership: Membership, network: str, account: Account, tokens: TokenSet, instance: str
) -> Connection:
    now = clock.now()
    connection = scoped(Connection, membership.organization_id).filter(
        membership=membership, network=network, account_id=account.account_id
    ).first() or Connection(
        organization_id=membership.organization_id,
        membership=membership,
        network=network,
        account_id=account.account_id,
        created_at=now,
    )
    connection.handle = account.handle[:300]
    connection.display_name = account.display_name[:300]
    connection.profile_url = account.url[:500] if account.url.startswith("https://") else ""
    connection.instance = instance
    connection.kind = account.kind
    connection.tokens_encrypted = seal(tokens)
    connection.token_expires_at = tokens.expires_at
    connection.status = ConnectionStatus.ACTIVE
    connection.status_reason = ""
    if account.followers is not None:
        connection.followers = account.followers
        connection.followers_synced_at = now
    connection.updated_at = now
    connection.save()
    logger.info(
        "connected org=%s connection=%s network=%s",
        membership.organization_id,
        connection.pk,
        network,
    )
    return connection


def connection_disconnect(*, membership: Membership, connection_id: int) -> None:
    """Forget the account: tell the network (best effort), delete the tokens (the row goes),
    cancel what was waiting to go out through it."""
    connection = (
        scoped(Connection, membership.organization_id)
        .filter(pk=connection_id, membership=membership)
        .first()
    )
    if connection is None:
        raise NotFound(_("Not found."))
    connector = connectors.get(connection.network)
    try:
        ctx = connection_context(connection)
        if client_needed(connection.network):
            ctx.client = client_credentials(connection.organization_id, connection.network, "")
        connector.revoke(ctx)
    except Exception:  # best effort: the tokens are deleted whatever the network says
        logger.warning("revoke_failed connection=%s", connection.pk, exc_info=True)
    with transaction.atomic():
        Post.objects.filter(
            connection=connection, state__in=[s for s in OPEN_STATES if s != PostState.PUBLISHING]
        ).update(state=PostState.CANCELLED, error=_("The account was disconnected."))
        connection.delete()


def connection_set_kind(*, membership: Membership, connection_id: int, kind: str) -> Connection:
    """The member says whether an account is personal or company-affiliated (a professional
    profile such as @LumenClaire, seed 000 #2). Facebook Pages are always company accounts."""
    if kind not in ("personal", "company"):
        raise DomainError(
            _("Choose personal or company."), field_errors={"kind": [_("Not valid.")]}
        )
    connection = (
        scoped(Connection, membership.organization_id)
        .filter(pk=connection_id, membership=membership)
        .first()
    )
    if connection is None:
        raise NotFound(_("Not found."))
    if connection.network == Network.FACEBOOK:
        raise DomainError(_("A Facebook Page is always a company account."))
    Connection.objects.filter(pk=connection.pk).update(kind=kind, updated_at=clock.now())
    connection.refresh_from_db()
    return connection


# --------------------------------------------------------------------------- using a connection


def _save_tokens(connection_id: int) -> Callable[[TokenSet], None]:
    def save(tokens: TokenSet) -> None:
        Connection.objects.filter(pk=connection_id).update(
            tokens_encrypted=seal(tokens),
            token_expires_at=tokens.expires_at,
            updated_at=clock.now(),
        )

    return save


def connection_context(connection: Connection) -> ConnectionCtx:
    return ConnectionCtx(
        network=connection.network,
        account_id=connection.account_id,
        handle=connection.handle,
        tokens=unseal(connection.tokens_encrypted),
        instance=connection.instance,
        on_tokens_refreshed=_save_tokens(connection.pk),
    )


def connection_mark_needs_reconnect(*, connection_id: int, reason: str) -> None:
    changed = Connection.objects.filter(pk=connection_id, status=ConnectionStatus.ACTIVE).update(
        status=ConnectionStatus.NEEDS_RECONNECT, status_reason=reason[:1000], updated_at=clock.now()
    )
    if not changed:  # already to be reconnected (or gone): the reason only
        Connection.objects.filter(pk=connection_id).update(
            status_reason=reason[:1000], updated_at=clock.now()
        )
    else:
        row = Connection.objects.filter(pk=connection_id).values("organization_id", "membership_id")
        for found in row[:1]:
            # The feed cards' actions (an update sends no signal): accounts/frame.py.
            frame.bump_member(
                membership_id=found["membership_id"], organization_id=found["organization_id"]
            )
            signals.send_on_commit(
                signals.connection_needs_reconnect, connection_id=connection_id, **found
            )
    logger.warning("connection_needs_reconnect connection=%s", connection_id)


def connection_refresh(*, connection: Connection, wait_seconds: float = 20.0) -> ConnectionCtx:
    """A context whose access token is valid for a while: refreshed first when it expires
    soon. One refresh at a time per connection (lease); a waiting worker re-reads the
    tokens the winner stored. AuthError when the network refuses the refresh (the
    connection is marked to be reconnected)."""
    connector = connectors.get(connection.network)
    deadline = time.monotonic() + wait_seconds
    while True:
        ctx = connection_context(connection)
        now = clock.now()
        if not connector.needs_refresh(ctx.tokens, now):
            return ctx
        got_lease = Connection.objects.filter(
            Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now), pk=connection.pk
        ).update(refreshing_until=now + REFRESH_LEASE)
        if got_lease:
            break
        if time.monotonic() > deadline:
            raise AuthError(_("The connection is being refreshed; try again in a minute."))
        time.sleep(0.2)
        connection.refresh_from_db()
    try:
        # Re-read under the lease: another worker may have refreshed just before.
        connection.refresh_from_db()
        ctx = connection_context(connection)
        if not connector.needs_refresh(ctx.tokens, clock.now()):
            return ctx
        if client_needed(connection.network):
            ctx.client = client_credentials(connection.organization_id, connection.network, "")
        try:
            tokens = connector.refresh(ctx)
        except AuthError as exc:
            connection_mark_needs_reconnect(connection_id=connection.pk, reason=exc.user_message)
            raise
        _save_tokens(connection.pk)(tokens)
        ctx.tokens = tokens
        return ctx
    finally:
        Connection.objects.filter(pk=connection.pk).update(refreshing_until=None)


def client_needed(network: str) -> bool:
    return network in (Network.LINKEDIN, Network.X, Network.THREADS, Network.FACEBOOK)
