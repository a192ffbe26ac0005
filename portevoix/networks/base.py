"""What every network connector is: the contract between the publishing engine and a network.

A connector is stateless. It gets everything it needs in its arguments (decrypted tokens,
client credentials, the post) and returns plain values; it never touches the database.
What it must remember between two attempts (a Threads container id, a Bluesky record key)
it hands to `PostRequest.save_state`, which the engine commits at once, *before* the risky
network call that follows.

Errors say what the engine must do next:
- `RateLimited`: try again at `retry_at` (from the network's headers) or after a backoff.
- `TransientError`: a 5xx, a timeout, a dropped connection: try again after a backoff. After a
  request that may have reached the network, the next attempt starts with `find_published`.
- `PermanentError`: the network refused the content (too long, duplicate of another post,
  policy): stop, tell the ambassador `user_message`.
- `AuthError` (a PermanentError): the token is revoked or expired beyond refresh: stop, mark the
  connection as needing a reconnect, tell its owner.

Exactly once: `publish` and `find_published` together guarantee that a post that reached the
network is found again by the next attempt. Each connector says how (idempotency key, client
record key, container status, or a search of the account's recent posts for the tracked link,
which is unique per ambassador, item and network).
"""

from __future__ import annotations

import abc
import datetime as dt
import email.utils
import functools
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

# --------------------------------------------------------------------------- values


@dataclass
class ClientCredentials:
    """The app registered with the network (per organization, or from the environment)."""

    client_id: str
    client_secret: str = ""
    redirect_uri: str = ""


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    # When the refresh token itself expires, where the network says so.
    refresh_expires_at: dt.datetime | None = None
    scope: str = ""
    # Network-specific values kept with the tokens (encrypted too): e.g. Bluesky "did"/"pds".
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Account:
    """Who a token speaks for. Several per authorization for Facebook (one per Page)."""

    account_id: str  # stable remote id: person URN, user id, DID, Page id...
    handle: str
    display_name: str = ""
    url: str = ""
    followers: int | None = None
    kind: Literal["personal", "company"] = "personal"
    # A token of its own for this account (a Facebook Page token); else the authorization's.
    tokens: TokenSet | None = None


@dataclass
class ConnectionCtx:
    """A connection as a connector sees it: decrypted, for one series of calls."""

    network: str
    account_id: str
    handle: str
    tokens: TokenSet
    # Mastodon: the instance's base URL (https://mastodon.social); Bluesky: the PDS URL.
    instance: str = ""
    client: ClientCredentials | None = None
    # Called by the connector after it refreshed the tokens (Bluesky session refresh, X
    # refresh-token rotation): the engine encrypts and stores them at once.
    on_tokens_refreshed: Callable[[TokenSet], None] = lambda tokens: None


@dataclass
class PostRequest:
    key: str  # our idempotency key: the same over every attempt of one post (32 hex chars)
    text: str  # the final text, the tracked link included
    link_url: str  # the tracked short link that appears in `text` (unique per share target)
    link_title: str = ""
    link_description: str = ""
    link_image_url: str = ""
    # The post's language (ISO 639-1), where the network takes it (Mastodon, Bluesky).
    language: str = ""
    # What previous attempts saved (see `save_state`); empty on the first attempt.
    state: dict[str, Any] = field(default_factory=dict)
    # Persist `state` now (its own committed write): call it before any call that may create
    # something on the network, with what the next attempt needs to find it again.
    save_state: Callable[[dict[str, Any]], None] = lambda state: None


@dataclass
class PublishResult:
    remote_id: str  # the post's id on the network (tweet id, status id, at:// uri, URN...)
    url: str = ""


@dataclass
class Metrics:
    """What a post earned. None = the network does not give this figure."""

    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    impressions: int | None = None


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """`user_message` is shown to the ambassador (keep it short, no secrets); `detail` is
    for the logs (the network's error body, truncated)."""

    def __init__(self, user_message: str, *, detail: str = "", status: int | None = None):
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail[:2000]
        self.status = status


class TransientError(ConnectorError):
    pass


class RateLimited(TransientError):
    def __init__(self, user_message: str, *, retry_at: dt.datetime | None = None, **kwargs: Any):
        super().__init__(user_message, **kwargs)
        self.retry_at = retry_at


class PermanentError(ConnectorError):
    pass


class AuthError(PermanentError):
    pass


class UnsafeAddress(PermanentError):
    """A user-given host resolves to a private, loopback or link-local address."""


# --------------------------------------------------------------------------- endpoints

# The networks' real addresses. settings.SOCIAL_ENDPOINTS overrides any of them (tests point
# them at local peers on 127.0.0.1; see config/settings.py for the environment variables).
DEFAULT_ENDPOINTS: dict[str, dict[str, str]] = {
    "linkedin": {
        "authorize": "https://www.linkedin.com/oauth/v2/authorization",
        "token": "https://www.linkedin.com/oauth/v2/accessToken",
        "api": "https://api.linkedin.com",
        "version": "202510",
    },
    "x": {
        "authorize": "https://x.com/i/oauth2/authorize",
        "token": "https://api.x.com/2/oauth2/token",
        "revoke": "https://api.x.com/2/oauth2/revoke",
        "api": "https://api.x.com",
    },
    "threads": {
        "authorize": "https://threads.net/oauth/authorize",
        "api": "https://graph.threads.net",
        "version": "v1.0",
    },
    "facebook": {
        "authorize": "https://www.facebook.com/v23.0/dialog/oauth",
        "api": "https://graph.facebook.com",
        "version": "v23.0",
    },
    "bluesky": {
        # Where handles log in by default; a user may give their own PDS.
        "service": "https://bsky.social",
    },
    "mastodon": {},
}


def endpoints(network: str) -> dict[str, str]:
    merged = dict(DEFAULT_ENDPOINTS.get(network, {}))
    merged.update(getattr(settings, "SOCIAL_ENDPOINTS", {}).get(network, {}))
    return merged


# --------------------------------------------------------------------------- HTTP

USER_AGENT = "Portevoix/1.0 (+https://github.com/portevoix)"


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every client (building one costs ~50 ms; reusing it ~5 ms)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def checked_address(host: str, port: int) -> str:
    """The address to connect to for `host`: every address it resolves to must be public
    (global, not multicast), unless the host is listed in SOCIAL_ALLOWED_PRIVATE_HOSTS.
    Checked at connection time, on the address actually used, so a name that resolved to a
    public address when a member entered it cannot later lead inside the network (DNS
    rebinding). Public for the clients that are not httpx (the listening firehose)."""
    host = host.strip("[]").lower()
    allowed = _allowed_private_hosts()
    if host in allowed or f"{host}:{port}" in allowed:
        return host
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeAddress(_("This host could not be found."), detail=host) from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses or any(not a.is_global or a.is_multicast for a in addresses):
        raise UnsafeAddress(_("This address is not allowed."), detail=host)
    return str(addresses[0])


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to checked addresses (TLS still checks
    the certificate against the original host name: httpcore sends it as SNI)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        return super().connect_tcp(
            checked_address(host, port),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )


def _guarded_transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(verify=_tls())
    # httpx has no parameter for the network backend: its pool is rebuilt with ours.
    transport._pool = httpcore.ConnectionPool(ssl_context=_tls(), network_backend=_GuardedBackend())
    return transport


def http_client(**kwargs: Any) -> httpx.Client:
    """An httpx client with our timeouts and user agent, that connects only to public
    addresses (or hosts allowed by SOCIAL_ALLOWED_PRIVATE_HOSTS). Redirects are not
    followed. A `transport` given by the caller (tests) replaces the guarded one."""
    if "transport" not in kwargs:
        kwargs["transport"] = _guarded_transport()
    kwargs.setdefault("verify", _tls())
    kwargs.setdefault("timeout", httpx.Timeout(getattr(settings, "SOCIAL_HTTP_TIMEOUT", 20.0)))
    kwargs.setdefault("follow_redirects", False)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    return httpx.Client(headers=headers, **kwargs)


def _allowed_private_hosts() -> set[str]:
    return {h.lower() for h in getattr(settings, "SOCIAL_ALLOWED_PRIVATE_HOSTS", [])}


def guard_url(url: str) -> str:
    """Refuse a user-given URL (a Mastodon instance, a Bluesky PDS) whose host resolves to a
    private, loopback, link-local, multicast or reserved address: no server-side request to
    the inside of the network. Hosts listed in settings.SOCIAL_ALLOWED_PRIVATE_HOSTS
    ("127.0.0.1", "127.0.0.1:3000") are allowed, for local peers. Returns the URL normalized
    (scheme + host[:port], no path). Only https, or http for an allowed private host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise UnsafeAddress(_("This address is not valid."), detail=url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    allowed = _allowed_private_hosts()
    explicitly_allowed = host in allowed or netloc in allowed
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not explicitly_allowed):
        raise UnsafeAddress(_("Only https:// addresses are accepted."), detail=url)
    if not explicitly_allowed:
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise UnsafeAddress(_("This host could not be found."), detail=url) from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global or address.is_multicast:
                raise UnsafeAddress(_("This address is not allowed."), detail=url)
    return f"{parts.scheme}://{netloc}"


def retry_at_from_headers(
    headers: httpx.Headers, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When a rate-limited request may be tried again, from the headers networks send:
    `Retry-After` (seconds or an HTTP date), `x-rate-limit-reset` (X: epoch seconds),
    `X-RateLimit-Reset` (Mastodon: ISO 8601), `ratelimit-reset` (Bluesky: epoch seconds)."""
    now = now or timezone.now()
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return now + dt.timedelta(seconds=int(value))
        try:
            parsed = email.utils.parsedate_to_datetime(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            return parsed
        except (TypeError, ValueError):
            pass
    for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        if value.isdigit():
            number = int(value)
            # Epoch seconds (X, Bluesky); a small number is a delay in seconds.
            if number > 1_000_000_000:
                return dt.datetime.fromtimestamp(number, tz=dt.UTC)
            return now + dt.timedelta(seconds=number)
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def error_for_response(response: httpx.Response, *, what: str = "") -> ConnectorError | None:
    """The default meaning of a response's status: None when it succeeded. Connectors refine
    it (X's duplicate refusal, Graph API error codes)."""
    status = response.status_code
    if status < 400:
        return None
    detail = response.text[:2000]
    label = what or _("The network")
    if status == 429:
        return RateLimited(
            _("%(network)s: too many requests, will try again later.") % {"network": label},
            retry_at=retry_at_from_headers(response.headers),
            detail=detail,
            status=status,
        )
    if status == 401:
        return AuthError(
            _("%(network)s: the connection was refused (token expired or revoked). Reconnect it.")
            % {"network": label},
            detail=detail,
            status=status,
        )
    if status >= 500 or status in (408, 425):
        return TransientError(
            _("%(network)s: temporary error (%(status)s).") % {"network": label, "status": status},
            detail=detail,
            status=status,
        )
    return PermanentError(
        _("%(network)s: refused (%(status)s).") % {"network": label, "status": status},
        detail=detail,
        status=status,
    )


ApiError = Callable[[httpx.Response], "ConnectorError | None"]


def raise_for(api_error: ApiError, response: httpx.Response) -> None:
    """Raise the network's own error for a failed response (`api_error` maps it)."""
    error = api_error(response)
    if error is not None:
        raise error


def token_response_hook(
    api_error: ApiError, refused: Callable[[httpx.Response], str]
) -> Callable[[httpx.Response], httpx.Response]:
    """An Authlib compliance hook for a token endpoint, run before Authlib parses the answer:
    429 and 5xx become the network's own (temporary) error, any other failure an AuthError
    whose message `refused` writes from the response."""

    def hook(response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        if status == 429 or status >= 500:
            raise_for(api_error, response)
        raise AuthError(refused(response), detail=response.text, status=status)

    return hook


def request(
    client: httpx.Client, method: str, url: str, *, what: str = "", **kwargs: Any
) -> httpx.Response:
    """Send a request; map transport failures to TransientError (the request may or may not
    have reached the network: the engine's next attempt starts with `find_published`)."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientError(
            _("%(network)s: no answer in time.") % {"network": what or _("The network")},
            detail=str(exc),
        ) from exc
    except httpx.HTTPError as exc:
        raise TransientError(
            _("%(network)s: connection failed.") % {"network": what or _("The network")},
            detail=str(exc),
        ) from exc


def contains_link(text: str, link: str) -> bool:
    """Does `text` contain `link` as a whole link (not as the start of a longer one)?"""
    link = link.strip()
    if not link:
        return False
    start = 0
    while (index := text.find(link, start)) != -1:
        after = text[index + len(link) : index + len(link) + 2]
        following = after[:1]
        if not following or not (following.isalnum() or following in "-_~%/"):
            return True
        # A trailing slash is the same link when nothing follows it.
        if following == "/" and (len(after) == 1 or after[1].isspace()):
            return True
        start = index + 1
    return False


# --------------------------------------------------------------------------- the contract


class Connector(abc.ABC):
    """Every connector implements `accounts`, `publish` and `find_published`; the others
    where its network supports them (the class attributes say which; the UI reads them).
    `authorize_url`/`exchange_code` exist only for `auth_kind == "oauth2"` (Bluesky logs in
    with an app password instead), and are never called otherwise."""

    network: ClassVar[str]
    # "oauth2": the authorization-code flow; "app_password": Bluesky's handle + app password.
    auth_kind: ClassVar[Literal["oauth2", "app_password"]] = "oauth2"
    uses_pkce: ClassVar[bool] = False
    # OAuth scopes asked for.
    scopes: ClassVar[tuple[str, ...]] = ()
    # Can this network give per-post metrics / follower counts to an app like ours?
    supports_metrics: ClassVar[bool] = True
    supports_followers: ClassVar[bool] = True
    # Refresh an access token this long before it expires.
    refresh_margin: ClassVar[dt.timedelta] = dt.timedelta(minutes=10)

    # ---- connecting

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        raise TypeError(f"{self.network} connects with an app password, not a redirect")

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        raise TypeError(f"{self.network} connects with an app password, not a redirect")

    @abc.abstractmethod
    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        """Who these tokens speak for (after the authorization, and to check a connection)."""

    def needs_refresh(self, tokens: TokenSet, now: dt.datetime) -> bool:
        return tokens.expires_at is not None and tokens.expires_at - self.refresh_margin <= now

    def refresh(self, ctx: ConnectionCtx) -> TokenSet:
        """New tokens; AuthError when the network refuses (the user must reconnect)."""
        raise AuthError(_("This connection cannot be refreshed: reconnect it."))

    def revoke(self, ctx: ConnectionCtx) -> None:  # noqa: B027 - a no-op by default
        """Best effort, on disconnect: tell the network we no longer hold the token. Networks
        without a revocation endpoint keep this no-op: deleting our copy is what matters."""

    # ---- publishing

    @abc.abstractmethod
    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        """Create the post; save what a retry needs (`post.save_state`) before the call."""

    @abc.abstractmethod
    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        """Did an earlier attempt of this post reach the network? Called before any retry."""

    # ---- what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        return {}

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        return None
