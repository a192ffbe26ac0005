"""X (formerly Twitter): API v2 with OAuth 2.0 Authorization Code + PKCE.

Documentation followed:
- https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code and
  .../user-access-token: authorize URL, token exchange (confidential clients authenticate
  with HTTP Basic, public clients send client_id in the body), two-hour access tokens,
  refresh tokens with `offline.access`; X rotates refresh tokens on every refresh.
- https://docs.x.com/x-api/posts/creation-of-a-post: POST /2/tweets.
- https://docs.x.com/x-api/posts/lookup: GET /2/tweets?ids= (up to 100 ids).
- GET /2/users/:id/tweets (the user's timeline), GET /2/users/me.
- https://docs.x.com/fundamentals/rate-limits: x-rate-limit-* headers, 429.

Exactly once: X has no idempotency key for POST /2/tweets. Every post carries the tracked
short link (unique per ambassador, item and network), so `find_published` searches the
account's recent posts for it; X wraps links as t.co in `text`, so the search also reads
`entities.urls[].expanded_url`. X itself refuses a duplicate of a recent post (403): when it
does, `publish` looks for our own earlier post and returns it if an earlier attempt did
reach X.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from portevoix.networks import base, oauth2
from portevoix.networks.base import (
    Account,
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    Connector,
    ConnectorError,
    Metrics,
    PermanentError,
    PostRequest,
    PublishResult,
    RateLimited,
    TokenSet,
    TransientError,
    contains_link,
)

logger = logging.getLogger(__name__)

DUPLICATE_DETAIL = "duplicate content"
LOOKUP_BATCH = 100  # GET /2/tweets takes at most 100 ids
TIMELINE_PAGE = 100  # GET /2/users/:id/tweets: max_results between 5 and 100


def _same_url(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.strip().rstrip("/") == b.strip().rstrip("/")


def tweet_has_link(tweet: dict[str, Any], link: str) -> bool:
    """Is our tracked link in this post: in its text, or behind one of its t.co links?"""
    if contains_link(str(tweet.get("text") or ""), link):
        return True
    entities = tweet.get("entities") or {}
    for url in entities.get("urls") or []:
        for key in ("expanded_url", "unwound_url", "url"):
            if _same_url(str(url.get(key) or ""), link):
                return True
    return False


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reason(response: httpx.Response) -> str:
    """X's explanation, from a problem body (`detail`) or an `errors` list."""
    body = _json(response)
    errors = body.get("errors") or []
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        message = first.get("message") or first.get("detail")
        if message:
            return str(message)
    for key in ("detail", "title", "error_description", "error"):
        if body.get(key):
            return str(body[key])
    return f"HTTP {response.status_code}"


def api_error(response: httpx.Response) -> ConnectorError | None:
    """X's errors, with messages for the ambassador."""
    error = base.error_for_response(response, what="X")
    if error is None:
        return None
    detail, status = error.detail, error.status
    if isinstance(error, RateLimited):
        return RateLimited(
            _("X: too many requests for now, we will try again later."),
            retry_at=error.retry_at,
            detail=detail,
            status=status,
        )
    if isinstance(error, AuthError):
        return AuthError(
            _("X refused the connection (expired or revoked). Reconnect your X account."),
            detail=detail,
            status=status,
        )
    if isinstance(error, TransientError):
        return TransientError(
            _("X is temporarily unavailable (error %(status)s).") % {"status": status},
            detail=detail,
            status=status,
        )
    return PermanentError(
        _("X refused the request: %(reason)s") % {"reason": _reason(response)[:300]},
        detail=detail,
        status=status,
    )


def _raise_for(response: httpx.Response) -> None:
    base.raise_for(api_error, response)


def _refused(response: httpx.Response) -> str:
    return _("X refused the authorization: %(reason)s. Connect the account again.") % {
        "reason": _reason(response)[:300]
    }


# Authlib compliance hook: map the token endpoint's failures before Authlib parses.
_token_response_hook = base.token_response_hook(api_error, _refused)


def _token_set(token: dict[str, Any], *, previous_refresh: str = "") -> TokenSet:
    access = token.get("access_token")
    if not access:
        raise AuthError(_("X did not return an access token."), detail=str(token)[:500])
    expires_in = token.get("expires_in")
    expires_at = None
    if expires_in is not None and expires_in != "":
        expires_at = timezone.now() + dt.timedelta(seconds=int(expires_in))
    return TokenSet(
        access_token=str(access),
        refresh_token=str(token.get("refresh_token") or previous_refresh),
        expires_at=expires_at,
        scope=str(token.get("scope") or ""),
    )


class XConnector(Connector):
    network: ClassVar[str] = "x"
    uses_pkce: ClassVar[bool] = True
    scopes: ClassVar[tuple[str, ...]] = (
        "tweet.read",
        "tweet.write",
        "users.read",
        "offline.access",
    )
    # Access tokens last two hours: refresh a little ahead.
    refresh_margin: ClassVar[dt.timedelta] = dt.timedelta(minutes=10)

    # ------------------------------------------------------------------ helpers

    def _api(self) -> str:
        return base.endpoints("x")["api"].rstrip("/")

    @staticmethod
    def _bearer(access_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {access_token}"}

    @staticmethod
    def _oauth(client: ClientCredentials) -> oauth2.Client:
        """A confidential client authenticates with HTTP Basic; a public one (PKCE only)
        sends its id in the form."""
        return oauth2.Client(
            client_id=client.client_id,
            client_secret=client.client_secret,
            auth_method="client_secret_basic" if client.client_secret else "none",
            redirect_uri=client.redirect_uri,
        )

    def _get(self, access_token: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        with base.http_client() as http:
            response = base.request(
                http,
                "GET",
                f"{self._api()}{path}",
                what="X",
                params=params,
                headers=self._bearer(access_token),
            )
        _raise_for(response)
        return _json(response)

    @staticmethod
    def status_url(handle: str, tweet_id: str) -> str:
        handle = handle.strip().lstrip("@")
        if handle:
            return f"https://x.com/{quote(handle)}/status/{tweet_id}"
        return f"https://x.com/i/web/status/{tweet_id}"

    # ------------------------------------------------------------------ connecting

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "scope": " ".join(self.scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{base.endpoints('x')['authorize']}?{urlencode(params, quote_via=quote)}"

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        token = oauth2.authorization_code(
            self._oauth(client),
            base.endpoints("x")["token"],
            code=code,
            code_verifier=code_verifier,
            hook=_token_response_hook,
            what="X",
        )
        return _token_set(token)

    def refresh(self, ctx: ConnectionCtx) -> TokenSet:
        if not ctx.tokens.refresh_token or ctx.client is None:
            raise AuthError(_("This X connection cannot be refreshed: reconnect it."))
        token = oauth2.refresh(
            self._oauth(ctx.client),
            base.endpoints("x")["token"],
            refresh_token=ctx.tokens.refresh_token,
            hook=_token_response_hook,
            what="X",
        )
        tokens = _token_set(token, previous_refresh=ctx.tokens.refresh_token)
        # X rotates refresh tokens: the old one no longer works, store the new one at once.
        ctx.on_tokens_refreshed(tokens)
        return tokens

    def revoke(self, ctx: ConnectionCtx) -> None:
        if ctx.client is None:
            return
        url = base.endpoints("x").get("revoke")
        if not url:
            return
        candidates = (
            (ctx.tokens.refresh_token, "refresh_token"),
            (ctx.tokens.access_token, "access_token"),
        )
        oauth = self._oauth(ctx.client)
        for token, hint in candidates:
            if not token:
                continue
            try:
                oauth2.revoke(oauth, url, token_value=token, hint=hint, what="X")
            except Exception:  # best effort: the user is disconnecting anyway
                logger.warning("X token revocation failed", exc_info=True)

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        body = self._get(
            tokens.access_token, "/2/users/me", {"user.fields": "public_metrics,username,name"}
        )
        data = body.get("data") or {}
        if not data.get("id"):
            raise TransientError(_("X did not say which account this is."), detail=str(body))
        username = str(data.get("username") or "")
        metrics = data.get("public_metrics") or {}
        followers = metrics.get("followers_count")
        return [
            Account(
                account_id=str(data["id"]),
                handle=username,
                display_name=str(data.get("name") or username),
                url=f"https://x.com/{quote(username)}" if username else "",
                followers=int(followers) if followers is not None else None,
            )
        ]

    # ------------------------------------------------------------------ publishing

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        with base.http_client() as http:
            response = base.request(
                http,
                "POST",
                f"{self._api()}/2/tweets",
                what="X",
                json={"text": post.text},
                headers=self._bearer(ctx.tokens.access_token),
            )
        if response.status_code in (200, 201):
            tweet_id = str((_json(response).get("data") or {}).get("id") or "")
            if not tweet_id:
                # Created or not, we cannot tell: the next attempt starts with find_published.
                raise TransientError(
                    _("X answered without the post's id."), detail=response.text[:2000]
                )
            return PublishResult(remote_id=tweet_id, url=self.status_url(ctx.handle, tweet_id))
        if response.status_code == 403 and DUPLICATE_DETAIL in _reason(response).lower():
            # Either an earlier attempt of this very post reached X (its answer was lost),
            # or the account already posted this exact text.
            found = self.find_published(ctx, post)
            if found is not None:
                return found
            raise PermanentError(
                _(
                    "X refused this post: its text duplicates one of your earlier posts. "
                    "Change the text and try again."
                ),
                detail=response.text[:2000],
                status=403,
            )
        _raise_for(response)
        raise TransientError(
            _("X gave an unexpected answer (%(status)s).") % {"status": response.status_code},
            detail=response.text[:2000],
            status=response.status_code,
        )

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        body = self._get(
            ctx.tokens.access_token,
            f"/2/users/{quote(ctx.account_id, safe='')}/tweets",
            {
                "max_results": TIMELINE_PAGE,
                "tweet.fields": "created_at,entities",
                "exclude": "retweets,replies",
            },
        )
        for tweet in body.get("data") or []:
            if isinstance(tweet, dict) and tweet.get("id") and tweet_has_link(tweet, post.link_url):
                tweet_id = str(tweet["id"])
                return PublishResult(remote_id=tweet_id, url=self.status_url(ctx.handle, tweet_id))
        return None

    # ------------------------------------------------------------------ what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        ids = list(dict.fromkeys(str(i) for i in remote_ids if i))
        result: dict[str, Metrics] = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start : start + LOOKUP_BATCH]
            body = self._get(
                ctx.tokens.access_token,
                "/2/tweets",
                {"ids": ",".join(batch), "tweet.fields": "public_metrics"},
            )
            # Deleted or hidden posts come back in "errors"; they are left out.
            for tweet in body.get("data") or []:
                metrics = tweet.get("public_metrics") or {}
                result[str(tweet["id"])] = Metrics(
                    likes=metrics.get("like_count"),
                    replies=metrics.get("reply_count"),
                    reposts=metrics.get("retweet_count"),
                    quotes=metrics.get("quote_count"),
                    impressions=metrics.get("impression_count"),
                )
        return result

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        body = self._get(ctx.tokens.access_token, "/2/users/me", {"user.fields": "public_metrics"})
        followers = ((body.get("data") or {}).get("public_metrics") or {}).get("followers_count")
        return int(followers) if followers is not None else None
