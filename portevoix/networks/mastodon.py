"""Mastodon: any instance, an app registered per instance, statuses through the REST API.

Documentation followed:
- apps: https://docs.joinmastodon.org/methods/apps/ (`POST /api/v1/apps`)
- OAuth: https://docs.joinmastodon.org/methods/oauth/ (`GET /oauth/authorize`,
  `POST /oauth/token`, `POST /oauth/revoke`; PKCE S256 since Mastodon 4.3). Mastodon access
  tokens do not expire and there is no refresh token.
- statuses: https://docs.joinmastodon.org/methods/statuses/ (`POST /api/v1/statuses` with
  the `Idempotency-Key` header, kept one hour by the server; `GET /api/v1/statuses/:id`)
- accounts: https://docs.joinmastodon.org/methods/accounts/ (`verify_credentials`,
  `GET /api/v1/accounts/:id/statuses`)
- errors: https://docs.joinmastodon.org/entities/Error/ (`{"error": "..."}`); 401 "The access
  token is invalid", 422 "Validation failed: ..."
- rate limits: https://docs.joinmastodon.org/api/rate-limits/ (`X-RateLimit-Limit`,
  `X-RateLimit-Remaining`, `X-RateLimit-Reset` as an ISO 8601 timestamp; 429 when exceeded)

Exactly once: `publish` saves the time of its first attempt, then posts with
`Idempotency-Key: post.key`, so a retry within the hour gets the status the lost attempt
created instead of a second one. `find_published`, called before any retry, is read-only:
it reads the account's recent statuses (back to the first attempt) and looks for the
tracked link (`post.link_url`, unique per ambassador, item and network) in each status's
links (`href` attributes of `content`) or its preview card.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import base
from .base import (
    Account,
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    Connector,
    Metrics,
    PermanentError,
    PostRequest,
    PublishResult,
    RateLimited,
    TokenSet,
    TransientError,
)

logger = logging.getLogger(__name__)

CLIENT_NAME = "Portevoix"
SCOPES = ("read", "write")
# One page of GET /api/v1/accounts/:id/statuses (the documented maximum is 40).
PAGE_SIZE = 40
# How far back find_published reads, at most, when an earlier attempt is recorded.
MAX_PAGES = 5
# Clocks differ: read statuses a little older than our first attempt.
CLOCK_MARGIN = dt.timedelta(minutes=5)


class _Links(HTMLParser):
    """The `href` of every link in a status's HTML `content` (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


def links_in(status: dict[str, Any]) -> list[str]:
    parser = _Links()
    parser.feed(str(status.get("content") or ""))
    parser.close()
    links = parser.hrefs
    card = status.get("card")
    if isinstance(card, dict) and card.get("url"):
        links.append(str(card["url"]))
    return links


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        text = body.get("error_description") or body.get("error") or ""
        return str(text)[:300]
    return ""


def error_for(
    response: httpx.Response, *, notfound: str = "", refused: str = ""
) -> base.ConnectorError | None:
    """What a Mastodon answer means for the engine; None for a 2xx. `notfound`: the message
    for a 404; `refused`: for a 422, with `%(error)s` for Mastodon's reason."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    detail = response.text[:2000]
    text = _error_text(response)
    if status == 401:
        return AuthError(
            _("Mastodon refused the connection (token revoked or invalid). Reconnect it."),
            detail=detail,
            status=status,
        )
    if status == 429:
        return RateLimited(
            _("Mastodon: too many requests, will try again later."),
            retry_at=base.retry_at_from_headers(response.headers),
            detail=detail,
            status=status,
        )
    if status >= 500 or status in (408, 425):
        return TransientError(
            _("Mastodon: temporary error (%(status)s).") % {"status": status},
            detail=detail,
            status=status,
        )
    if status == 404:
        return PermanentError(
            notfound or _("Mastodon: not found on this server (is it a Mastodon server?)."),
            detail=detail,
            status=status,
        )
    if status == 422:
        return PermanentError(
            (refused or _("Mastodon refused the request: %(error)s"))
            % {"error": text or _("invalid")},
            detail=detail,
            status=status,
        )
    if 300 <= status < 400:
        return PermanentError(
            _("Mastodon: this server redirects elsewhere; check its address."),
            detail=f"{status} -> {response.headers.get('location', '')}",
            status=status,
        )
    return PermanentError(
        _("Mastodon refused the request (%(status)s): %(error)s")
        % {"status": status, "error": text or _("no reason given")},
        detail=detail,
        status=status,
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        # A 2xx we cannot read: the request may have done its work; try again, and the next
        # attempt starts with find_published.
        raise TransientError(
            _("Mastodon: unreadable answer."), detail=response.text[:2000], status=200
        ) from exc


def _instance(value: str) -> str:
    instance = (value or "").strip().rstrip("/")
    if not instance:
        raise PermanentError(_("No Mastodon server is set for this connection."))
    return instance


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class MastodonConnector(Connector):
    network: ClassVar[str] = "mastodon"
    uses_pkce: ClassVar[bool] = True
    scopes: ClassVar[tuple[str, ...]] = SCOPES

    # ---- HTTP

    def _call(
        self,
        method: str,
        url: str,
        *,
        token: str = "",
        notfound: str = "",
        refused: str = "",
        headers: dict[str, str] | None = None,
        client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if client is None:
            with base.http_client() as own:
                response = base.request(
                    own, method, url, what="Mastodon", headers=all_headers, **kwargs
                )
        else:
            response = base.request(
                client, method, url, what="Mastodon", headers=all_headers, **kwargs
            )
        error = error_for(response, notfound=notfound, refused=refused)
        if error is not None:
            raise error
        return response

    # ---- connecting

    def register_app(self, instance: str, redirect_uri: str) -> ClientCredentials:
        """Register Portevoix on this instance (`POST /api/v1/apps`). The caller caches the
        credentials per instance."""
        response = self._call(
            "POST",
            f"{_instance(instance)}/api/v1/apps",
            data={
                "client_name": CLIENT_NAME,
                "redirect_uris": redirect_uri,
                "scopes": " ".join(SCOPES),
                "website": getattr(settings, "SITE_URL", ""),
            },
            notfound=_("This server does not answer as a Mastodon server."),
        )
        data = _json(response)
        if not isinstance(data, dict) or not data.get("client_id"):
            raise PermanentError(
                _("This server does not answer as a Mastodon server."),
                detail=response.text[:2000],
            )
        return ClientCredentials(
            client_id=str(data["client_id"]),
            client_secret=str(data.get("client_secret") or ""),
            redirect_uri=redirect_uri,
        )

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "scope": " ".join(SCOPES),
            "state": state,
        }
        if code_challenge:
            # Mastodon 4.3+ checks it; older servers ignore it.
            params["code_challenge"] = code_challenge
            params["code_challenge_method"] = "S256"
        return f"{_instance(instance)}/oauth/authorize?{urlencode(params)}"

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "redirect_uri": client.redirect_uri,
            "scope": " ".join(SCOPES),
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        try:
            response = self._call("POST", f"{_instance(instance)}/oauth/token", data=data)
        except PermanentError as exc:
            # 400 invalid_grant (code used, expired, for another client, or a PKCE verifier
            # that does not match), 401 invalid_client: the user must start again.
            raise AuthError(
                _("Mastodon refused the authorization. Please try connecting again."),
                detail=exc.detail,
                status=exc.status,
            ) from exc
        token = _json(response)
        if not isinstance(token, dict) or not token.get("access_token"):
            raise AuthError(
                _("Mastodon refused the authorization. Please try connecting again."),
                detail=response.text[:2000],
            )
        # Mastodon tokens do not expire and come without a refresh token.
        return TokenSet(
            access_token=str(token["access_token"]),
            scope=str(token.get("scope") or ""),
        )

    def _me(self, instance: str, tokens: TokenSet) -> dict[str, Any]:
        response = self._call(
            "GET",
            f"{_instance(instance)}/api/v1/accounts/verify_credentials",
            token=tokens.access_token,
            notfound=_("This server does not answer as a Mastodon server."),
        )
        data = _json(response)
        if not isinstance(data, dict) or not data.get("id"):
            raise TransientError(_("Mastodon: unreadable answer."), detail=response.text[:2000])
        return data

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        me = self._me(instance, tokens)
        acct = str(me.get("acct") or me.get("username") or "")
        if "@" not in acct:
            # A local account: its domain is the host of its profile page (or the instance).
            host = urlsplit(str(me.get("url") or "")).netloc or urlsplit(_instance(instance)).netloc
            acct = f"{acct}@{host}"
        return [
            Account(
                account_id=str(me["id"]),
                handle=f"@{acct}",
                display_name=str(me.get("display_name") or me.get("username") or ""),
                url=str(me.get("url") or ""),
                followers=_int(me.get("followers_count")),
            )
        ]

    def revoke(self, ctx: ConnectionCtx) -> None:
        """Best effort (`POST /oauth/revoke`): a failure is logged, never raised."""
        data = {"token": ctx.tokens.access_token}
        if ctx.client is not None:
            data["client_id"] = ctx.client.client_id
            data["client_secret"] = ctx.client.client_secret
        try:
            self._call("POST", f"{_instance(ctx.instance)}/oauth/revoke", data=data)
        except base.ConnectorError as exc:
            logger.info("mastodon: revoking the token failed: %s %s", exc.status, exc.detail)

    # ---- publishing

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        instance = _instance(ctx.instance)
        state = dict(post.state)
        # When the first attempt was made: how far back find_published must read, and
        # whether the server still holds our Idempotency-Key (one hour).
        state.setdefault("first_attempt_at", timezone.now().isoformat())
        state["attempts"] = int(state.get("attempts", 0)) + 1
        post.save_state(state)
        post.state = state
        data = {"status": post.text, "visibility": "public"}
        language = getattr(post, "language", "")
        if language:
            data["language"] = language
        response = self._call(
            "POST",
            f"{instance}/api/v1/statuses",
            token=ctx.tokens.access_token,
            headers={"Idempotency-Key": post.key},
            data=data,
            refused=_("Mastodon refused the post: %(error)s"),
        )
        status = _json(response)
        if not isinstance(status, dict) or not status.get("id"):
            raise TransientError(_("Mastodon: unreadable answer."), detail=response.text[:2000])
        return PublishResult(remote_id=str(status["id"]), url=str(status.get("url") or ""))

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        """Read-only: the account's recent statuses, back to the first attempt (one page
        when none is recorded), searched for the tracked link."""
        instance = _instance(ctx.instance)
        since = _parse_time(post.state.get("first_attempt_at"))
        if since is not None:
            since -= CLOCK_MARGIN
        max_id = ""
        with base.http_client() as client:
            for _page in range(MAX_PAGES):
                params: dict[str, Any] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
                if max_id:
                    params["max_id"] = max_id
                response = self._call(
                    "GET",
                    f"{instance}/api/v1/accounts/{ctx.account_id}/statuses",
                    token=ctx.tokens.access_token,
                    params=params,
                    notfound=_("This Mastodon account no longer exists."),
                    client=client,
                )
                found, max_id = self._search_page(_json(response), post.link_url, since)
                if found is not None or not max_id:
                    return found
        return None

    @staticmethod
    def _search_page(
        statuses: Any, link_url: str, since: dt.datetime | None
    ) -> tuple[PublishResult | None, str]:
        """The status carrying `link_url` on this page, else the `max_id` of the next page
        to read ("" when the page reaches back before `since`, or when there is no `since`)."""
        if not isinstance(statuses, list) or not statuses:
            return None, ""
        for status in statuses:
            if isinstance(status, dict) and link_url in links_in(status):
                return PublishResult(
                    remote_id=str(status["id"]), url=str(status.get("url") or "")
                ), ""
        oldest = statuses[-1] if isinstance(statuses[-1], dict) else {}
        oldest_at = _parse_time(oldest.get("created_at"))
        if since is None or oldest_at is None or oldest_at < since or not oldest.get("id"):
            return None, ""
        return None, str(oldest["id"])

    # ---- what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        """`GET /api/v1/statuses/:id` per status; a deleted status (404) is left out."""
        instance = _instance(ctx.instance)
        metrics: dict[str, Metrics] = {}
        with base.http_client() as client:
            for remote_id in remote_ids:
                try:
                    response = self._call(
                        "GET",
                        f"{instance}/api/v1/statuses/{remote_id}",
                        token=ctx.tokens.access_token,
                        client=client,
                    )
                except PermanentError as exc:
                    if exc.status == 404:
                        continue  # deleted (or no longer visible): nothing to count
                    raise
                status = _json(response)
                if isinstance(status, dict):
                    metrics[remote_id] = Metrics(
                        likes=_int(status.get("favourites_count")),
                        replies=_int(status.get("replies_count")),
                        reposts=_int(status.get("reblogs_count")),
                        quotes=_int(status.get("quotes_count")),  # Mastodon 4.5+
                        impressions=None,
                    )
        return metrics

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        return _int(self._me(ctx.instance, ctx.tokens).get("followers_count"))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
