"""LinkedIn: 3-legged OAuth 2.0 with OpenID Connect, posts through the versioned Posts API.

Documentation followed (learn.microsoft.com/linkedin/...):
- shared/authentication/authorization-code-flow and consumer/integrations/self-serve/
  sign-in-with-linkedin-v2: authorization URL, token exchange (form with client_id and
  client_secret), access tokens for 60 days, refresh tokens for approved partners only
  (`refresh_token_expires_in`), `GET /v2/userinfo` (`sub` gives the person URN).
- marketing/community-management/shares/posts-api: `POST /rest/posts` with the
  `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0` headers, the post URN in the
  `x-restli-id` header, article posts, `GET /rest/posts?q=author`.
- .../shares/little-text-format: the commentary is "little" text; reserved characters are
  backslash-escaped (`escape_little`).
- shared/api-guide/concepts/protocol-version: Rest.li 2.0 URL-encodes URNs in query values.
- shared/api-guide/concepts/error-handling: 401, 403, 422, 429 (no reset header).

Exactly once: the Posts API has no idempotency key. `find_published` lists the member's
recent posts and looks for our tracked link (commentary or article source), but reading a
member's posts needs `r_member_social`, a restricted permission ordinary apps do not hold:
LinkedIn then answers 403 and `find_published` says "not found". What keeps the retry from
posting twice is then LinkedIn itself: it refuses a duplicate of a recent post with 422
DUPLICATE_POST naming the existing post's URN, and since our commentary carries the tracked
link (unique per ambassador, item and network) that post can only be ours: `publish` returns
it as the result.

LinkedIn gives no per-post metrics nor follower counts of a member to ordinary apps.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
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

RESTLI_PROTOCOL = "2.0.0"
FIND_COUNT = 20
# "little" text format: characters that must be backslash-escaped to stay plain text.
LITTLE_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_LITTLE_ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")
_DUPLICATE_URN = re.compile(r"duplicate of (urn:li:[A-Za-z]+:[A-Za-z0-9_-]+)")


def _starts_hashtag(text: str, index: int) -> bool:
    """Is the `#` at `index` the start of a hashtag (a HashtagElement in little format)?"""
    following = text[index + 1 : index + 2]
    if not following or not following.isalnum():
        return False
    if index == 0:
        return True
    before = text[index - 1]
    return not (before.isalnum() or before in "_&#\\/")


def escape_little(text: str, *, keep_hashtags: bool = True) -> str:
    """`text` as little-format commentary showing exactly `text`.

    Every reserved character (\\ | { } @ [ ] ( ) < > # * _ ~) is backslash-escaped, so that
    LinkedIn neither cuts the post at it nor reads a mention or template into it. With
    `keep_hashtags`, a `#` starting a word (`#climate`) stays a hashtag, as the ambassador
    wrote it; a `#` inside a word (`C#`) or alone is escaped."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char in LITTLE_RESERVED and not (
            keep_hashtags and char == "#" and _starts_hashtag(text, index)
        ):
            out.append("\\")
        out.append(char)
    return "".join(out)


def unescape_little(text: str) -> str:
    """The plain text of escaped little-format commentary (mentions and templates aside)."""
    return _LITTLE_ESCAPED.sub(r"\1", text)


def person_urn(sub: str) -> str:
    return f"urn:li:person:{sub}"


def restli_encode(value: str) -> str:
    """A Rest.li 2.0 query value: URN reserved characters (`:`, `(`, `)`, `,`) encoded."""
    return quote(value, safe="")


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(response: httpx.Response) -> str:
    body = _json(response)
    for key in ("message", "error_description", "error"):
        if body.get(key):
            message = str(body[key])
            # Rest.li prefixes messages with the Java exception's class name.
            return re.sub(r"^(?:[a-z]+\.)+[A-Za-z]+Exception: ", "", message)
    return f"HTTP {response.status_code}"


def _service_code(response: httpx.Response) -> str:
    body = _json(response)
    return str(body.get("code") or "")


def api_error(response: httpx.Response) -> ConnectorError | None:
    """LinkedIn's errors (`{"status", "serviceErrorCode", "code", "message"}`), with messages
    for the ambassador."""
    error = base.error_for_response(response, what="LinkedIn")
    if error is None:
        return None
    detail, status = error.detail, error.status
    if isinstance(error, RateLimited):
        # LinkedIn sends no reset header: retry_at stays None, the engine backs off.
        return RateLimited(
            _("LinkedIn: too many requests for now, we will try again later."),
            retry_at=error.retry_at,
            detail=detail,
            status=status,
        )
    if isinstance(error, AuthError):
        return AuthError(
            _(
                "LinkedIn refused the connection (expired or revoked). "
                "Reconnect your LinkedIn account."
            ),
            detail=detail,
            status=status,
        )
    if isinstance(error, TransientError):
        return TransientError(
            _("LinkedIn is temporarily unavailable (error %(status)s).") % {"status": status},
            detail=detail,
            status=status,
        )
    if status == 426 or _service_code(response) in ("VERSION_MISSING", "NONEXISTENT_VERSION"):
        return PermanentError(
            _(
                "LinkedIn no longer accepts the API version this server uses: an administrator "
                "must update it."
            ),
            detail=detail,
            status=status,
        )
    if status == 403:
        return PermanentError(
            _("LinkedIn did not allow this (missing permission): %(reason)s")
            % {"reason": _message(response)[:300]},
            detail=detail,
            status=status,
        )
    return PermanentError(
        _("LinkedIn refused the post: %(reason)s") % {"reason": _message(response)[:300]},
        detail=detail,
        status=status,
    )


def _raise_for(response: httpx.Response) -> None:
    base.raise_for(api_error, response)


def _refused(response: httpx.Response) -> str:
    return _("LinkedIn refused the authorization: %(reason)s. Connect the account again.") % {
        "reason": _message(response)[:300]
    }


# Authlib compliance hook: map the token endpoint's failures before Authlib parses.
_token_response_hook = base.token_response_hook(api_error, _refused)


def _token_set(token: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
    access = token.get("access_token")
    if not access:
        raise AuthError(_("LinkedIn did not return an access token."), detail=str(token)[:500])
    now = timezone.now()
    expires_in = token.get("expires_in")
    refresh = str(token.get("refresh_token") or (previous.refresh_token if previous else ""))
    refresh_in = token.get("refresh_token_expires_in")
    refresh_expires_at = previous.refresh_expires_at if previous else None
    if refresh_in is not None and refresh_in != "":
        refresh_expires_at = now + dt.timedelta(seconds=int(refresh_in))
    # LinkedIn lists scopes separated by commas; we keep them space separated.
    scope = " ".join(s for s in re.split(r"[,\s]+", str(token.get("scope") or "")) if s)
    return TokenSet(
        access_token=str(access),
        refresh_token=refresh,
        expires_at=now + dt.timedelta(seconds=int(expires_in)) if expires_in else None,
        refresh_expires_at=refresh_expires_at if refresh else None,
        scope=scope or (previous.scope if previous else ""),
    )


class LinkedInConnector(Connector):
    network: ClassVar[str] = "linkedin"
    uses_pkce: ClassVar[bool] = False
    scopes: ClassVar[tuple[str, ...]] = ("openid", "profile", "email", "w_member_social")
    supports_metrics: ClassVar[bool] = False
    supports_followers: ClassVar[bool] = False
    # Access tokens last 60 days: refresh (when possible) a day ahead.
    refresh_margin: ClassVar[dt.timedelta] = dt.timedelta(days=1)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _endpoints() -> dict[str, str]:
        return base.endpoints("linkedin")

    def _api(self) -> str:
        return self._endpoints()["api"].rstrip("/")

    def _rest_headers(self, access_token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": self._endpoints()["version"],
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
        }

    @staticmethod
    def _oauth(client: ClientCredentials) -> oauth2.Client:
        return oauth2.Client(
            client_id=client.client_id,
            client_secret=client.client_secret,
            auth_method="client_secret_post",
            redirect_uri=client.redirect_uri,
        )

    def find_url(self, author_urn: str, count: int = FIND_COUNT) -> str:
        """The author finder, the URN encoded as Rest.li 2.0 wants it (`%3A`)."""
        return (
            f"{self._api()}/rest/posts?q=author&author={restli_encode(author_urn)}"
            f"&count={count}&sortBy=LAST_MODIFIED"
        )

    def _revoke_url(self) -> str:
        endpoints = self._endpoints()
        if endpoints.get("revoke"):
            return endpoints["revoke"]
        return endpoints["token"].rsplit("/", 1)[0] + "/revoke"

    # ------------------------------------------------------------------ connecting

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "state": state,
            "scope": " ".join(self.scopes),
        }
        return f"{self._endpoints()['authorize']}?{urlencode(params, quote_via=quote)}"

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        token = oauth2.authorization_code(
            self._oauth(client),
            self._endpoints()["token"],
            code=code,
            hook=_token_response_hook,
            what="LinkedIn",
        )
        return _token_set(token)

    def refresh(self, ctx: ConnectionCtx) -> TokenSet:
        """Only apps LinkedIn approved for programmatic refresh get refresh tokens; without
        one, the member must connect again when the 60 days are over."""
        if not ctx.tokens.refresh_token or ctx.client is None:
            raise AuthError(
                _("This LinkedIn connection expires and cannot be renewed: reconnect it.")
            )
        token = oauth2.refresh(
            self._oauth(ctx.client),
            self._endpoints()["token"],
            refresh_token=ctx.tokens.refresh_token,
            hook=_token_response_hook,
            what="LinkedIn",
        )
        tokens = _token_set(token, previous=ctx.tokens)
        ctx.on_tokens_refreshed(tokens)
        return tokens

    def revoke(self, ctx: ConnectionCtx) -> None:
        if ctx.client is None or not ctx.tokens.access_token:
            return
        try:
            oauth2.revoke(
                self._oauth(ctx.client),
                self._revoke_url(),
                token_value=ctx.tokens.access_token,
                what="LinkedIn",
            )
        except Exception:  # best effort: the user is disconnecting anyway
            logger.warning("LinkedIn token revocation failed", exc_info=True)

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        with base.http_client() as http:
            response = base.request(
                http,
                "GET",
                f"{self._api()}/v2/userinfo",
                what="LinkedIn",
                headers={"Authorization": f"Bearer {tokens.access_token}"},
            )
        _raise_for(response)
        body = _json(response)
        sub = str(body.get("sub") or "")
        if not sub:
            raise TransientError(_("LinkedIn did not say which member this is."), detail=str(body))
        name = str(
            body.get("name")
            or " ".join(str(body.get(k) or "") for k in ("given_name", "family_name")).strip()
        )
        return [
            Account(
                account_id=person_urn(sub),
                handle=name or sub,
                display_name=name,
                followers=None,
                kind="personal",
            )
        ]

    # ------------------------------------------------------------------ publishing

    def post_body(self, ctx: ConnectionCtx, post: PostRequest) -> dict[str, Any]:
        article: dict[str, Any] = {
            "source": post.link_url,
            "title": post.link_title or post.link_url,
        }
        if post.link_description:
            article["description"] = post.link_description
        return {
            "author": ctx.account_id,
            "commentary": escape_little(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "content": {"article": article},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        with base.http_client() as http:
            response = base.request(
                http,
                "POST",
                f"{self._api()}/rest/posts",
                what="LinkedIn",
                json=self.post_body(ctx, post),
                headers=self._rest_headers(ctx.tokens.access_token),
            )
        if response.status_code in (200, 201):
            urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
            if not urn:
                # Created, but we cannot say which: the next attempt starts with
                # find_published (or meets LinkedIn's duplicate refusal, which names it).
                raise TransientError(
                    _("LinkedIn answered without the post's id."), detail=response.text[:2000]
                )
            return PublishResult(remote_id=urn, url=post_url(urn))
        if response.status_code == 422:
            match = _DUPLICATE_URN.search(_message(response))
            if match:
                # Our commentary holds the tracked link, unique to this post: the duplicate
                # LinkedIn names is an earlier attempt of this very post.
                urn = match.group(1)
                return PublishResult(remote_id=urn, url=post_url(urn))
        _raise_for(response)
        raise TransientError(
            _("LinkedIn gave an unexpected answer (%(status)s).")
            % {"status": response.status_code},
            detail=response.text[:2000],
            status=response.status_code,
        )

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        with base.http_client() as http:
            response = base.request(
                http,
                "GET",
                self.find_url(ctx.account_id),
                what="LinkedIn",
                headers=self._rest_headers(ctx.tokens.access_token),
            )
        if response.status_code == 403:
            # No r_member_social: we may not read the member's posts. LinkedIn's duplicate
            # refusal on the next publish names the post if it exists (see the module doc).
            logger.info("LinkedIn: cannot list the member's posts (403); relying on duplicates")
            return None
        _raise_for(response)
        for element in _json(response).get("elements") or []:
            if not isinstance(element, dict) or not element.get("id"):
                continue
            source = ((element.get("content") or {}).get("article") or {}).get("source") or ""
            commentary = unescape_little(str(element.get("commentary") or ""))
            if contains_link(commentary, post.link_url) or (
                source and source.strip().rstrip("/") == post.link_url.strip().rstrip("/")
            ):
                urn = str(element["id"])
                return PublishResult(remote_id=urn, url=post_url(urn))
        return None

    # ------------------------------------------------------------------ what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        """Member post analytics are not open to ordinary apps."""
        return {}

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        return None
