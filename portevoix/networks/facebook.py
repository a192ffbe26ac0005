"""Facebook: company Pages only, through the Graph API.

Personal profiles cannot be published to by any API: Facebook removed the `publish_actions`
permission in 2018 (Graph API v3.0), so no app can post on a person's timeline any more. An
ambassador who wants to share on a personal profile uses Facebook's share dialog (a link the
UI opens); this connector only speaks for the Pages the ambassador manages.

The flow (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived,
https://developers.facebook.com/docs/pages-api/getting-started):

- the Login dialog gives a code; `GET /{version}/oauth/access_token` exchanges it for a user
  token, and `grant_type=fb_exchange_token` for a long-lived one (about 60 days);
- `GET /{version}/me/accounts` lists the Pages with a Page token each; a Page token obtained from
  a long-lived user token has no expiry, so a Page connection never needs a refresh;
- `POST /{version}/{page-id}/feed` (message, link) publishes as the Page.

Exactly once: the Graph API has no idempotency key. The tracked short link is unique per
ambassador, item and network and is inside the message, so `find_published` reads the Page's
recent feed for it; a `506` ("Duplicate status message") is treated like a repeated attempt.

The Graph API error helpers here (error shape `{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}`, https://developers.facebook.com/docs/graph-api/guides/error-handling,
and the usage headers of https://developers.facebook.com/docs/graph-api/overview/rate-limiting)
are shared with the Threads connector, which speaks the same dialect.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.networks import base
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
)

# --------------------------------------------------------------------------- Graph API errors

# Codes of the error-handling and rate-limiting guides.
AUTH_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
DUPLICATE_POST_CODE = 506
POLICY_BLOCK_CODE = 368
# 4: app, 17: user, 32: Page (platform), 613: custom limit, 80001: Page (business use case).
FACEBOOK_RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001})


def graph_error_fields(response: httpx.Response) -> dict[str, Any]:
    """The error object of a Graph API response body (`{"error": {...}}`), or the flat shape
    of the Threads and Instagram OAuth endpoints (`{"error_type", "code", "error_message"}`);
    empty when the body is not JSON."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    if isinstance(error, dict):
        return error
    if "error_type" in body or "error_message" in body:
        return {
            "message": body.get("error_message", ""),
            "type": body.get("error_type", ""),
            "code": body.get("code"),
        }
    return {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def usage_retry_at(headers: httpx.Headers, now: dt.datetime | None = None) -> dt.datetime | None:
    """When a throttled Graph API caller may try again: `Retry-After` where sent, else the
    `estimated_time_to_regain_access` (minutes) of the `X-Business-Use-Case-Usage` header (Page
    tokens are under business-use-case limits). `X-App-Usage` says how much is used, not when
    it frees up: None then (the engine backs off)."""
    now = now or timezone.now()
    retry_at = base.retry_at_from_headers(headers, now)
    if retry_at is not None:
        return retry_at
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = 0
    if isinstance(usage, dict):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    minutes = max(minutes, _int(entry.get("estimated_time_to_regain_access")) or 0)
    return now + dt.timedelta(minutes=minutes) if minutes > 0 else None


def graph_error(
    response: httpx.Response, *, what: str, rate_limit_codes: frozenset[int]
) -> ConnectorError | None:
    """What a Graph API response means for the engine: None when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    error = graph_error_fields(response)
    code = _int(error.get("code"))
    detail = response.text[:2000]
    reason = str(error.get("error_user_msg") or error.get("message") or "")[:200]
    if code in AUTH_CODES or (status == 401 and code is None):
        return AuthError(
            _("%(network)s refused the connection (token expired or revoked). Reconnect it.")
            % {"network": what},
            detail=detail,
            status=status,
        )
    if code is not None and code in PERMISSION_CODES:
        return AuthError(
            _("%(network)s: a permission is missing. Reconnect the account and accept them all.")
            % {"network": what},
            detail=detail,
            status=status,
        )
    if status == 429 or (code is not None and code in rate_limit_codes):
        return RateLimited(
            _("%(network)s: too many requests, will try again later.") % {"network": what},
            retry_at=usage_retry_at(response.headers),
            detail=detail,
            status=status,
        )
    if (code is not None and code in TRANSIENT_CODES) or error.get("is_transient") or status >= 500:
        return TransientError(
            _("%(network)s: temporary error, will try again.") % {"network": what},
            detail=detail,
            status=status,
        )
    if reason:
        return PermanentError(
            _("%(network)s refused the request: %(reason)s") % {"network": what, "reason": reason},
            detail=detail,
            status=status,
        )
    return base.error_for_response(response, what=what) or PermanentError(
        _("%(network)s refused the request.") % {"network": what}, detail=detail, status=status
    )


def graph_call(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    what: str,
    rate_limit_codes: frozenset[int],
    **kwargs: Any,
) -> dict[str, Any]:
    """One Graph API request: the JSON object it answered, or the error it means raised."""
    response = base.request(client, method, url, what=what, **kwargs)
    error = graph_error(response, what=what, rate_limit_codes=rate_limit_codes)
    if error is not None:
        raise error
    try:
        body = response.json()
    except ValueError as exc:
        raise TransientError(
            _("%(network)s: unexpected answer.") % {"network": what}, detail=response.text
        ) from exc
    if not isinstance(body, dict):
        raise TransientError(
            _("%(network)s: unexpected answer.") % {"network": what}, detail=response.text
        )
    return body


def expires_at_from(body: dict[str, Any], now: dt.datetime) -> dt.datetime | None:
    seconds = _int(body.get("expires_in"))
    return now + dt.timedelta(seconds=seconds) if seconds else None


def insight_value(entry: dict[str, Any]) -> int | None:
    """The figure of one insights entry: `total_value.value` (user insights) or the last of
    `values[].value` (media and Page post insights)."""
    total = entry.get("total_value")
    if isinstance(total, dict) and total.get("value") is not None:
        return _int(total.get("value"))
    values = entry.get("values")
    if isinstance(values, list) and values and isinstance(values[-1], dict):
        return _int(values[-1].get("value"))
    return None


# --------------------------------------------------------------------------- the connector


class FacebookConnector(Connector):
    network = "facebook"
    scopes = ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights")
    # Apps cannot post on personal profiles (publish_actions was removed in 2018).
    personal_profiles_supported: ClassVar[bool] = False
    personal_profile_note = gettext_lazy(
        "Facebook does not let apps post to personal profiles: use the share dialog."
    )
    # How many recent Page posts find_published reads (one page of the feed).
    find_limit: ClassVar[int] = 25

    what: ClassVar[str] = "Facebook"

    # ---- helpers

    def _endpoints(self) -> tuple[str, str]:
        ends = base.endpoints(self.network)
        return ends["api"].rstrip("/"), ends.get("version", "v23.0")

    def _url(self, path: str) -> str:
        api, version = self._endpoints()
        return f"{api}/{version}/{path.lstrip('/')}"

    def _call(self, client: httpx.Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return graph_call(
            client,
            method,
            self._url(path),
            what=self.what,
            rate_limit_codes=FACEBOOK_RATE_LIMIT_CODES,
            **kwargs,
        )

    # ---- connecting

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        query = {
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(self.scopes),
        }
        return f"{base.endpoints(self.network)['authorize']}?{urlencode(query)}"

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        # Facebook's manual flow exchanges the code with a GET (not the RFC 6749 POST), then
        # the short-lived user token for a long-lived one: plain httpx, not Authlib.
        with base.http_client() as http:
            short = self._call(
                http,
                "GET",
                "oauth/access_token",
                params={
                    "client_id": client.client_id,
                    "redirect_uri": client.redirect_uri,
                    "client_secret": client.client_secret,
                    "code": code,
                },
            )
            token = str(short.get("access_token") or "")
            if not token:
                raise AuthError(_("Facebook did not give an access token."), detail=str(short))
            long = self._call(
                http,
                "GET",
                "oauth/access_token",
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": client.client_id,
                    "client_secret": client.client_secret,
                    "fb_exchange_token": token,
                },
            )
        long_token = str(long.get("access_token") or "")
        if not long_token:
            raise AuthError(_("Facebook did not give a long-lived token."), detail=str(long))
        return TokenSet(
            access_token=long_token,
            # Long-lived user tokens last about 60 days; Facebook may leave expires_in out.
            expires_at=expires_at_from(long, timezone.now()),
            scope=",".join(self.scopes),
        )

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        """One Account per Page the user manages, each with its own Page token (no expiry when
        obtained from a long-lived user token)."""
        found: list[Account] = []
        with base.http_client() as http:
            url: str | None = self._url("me/accounts")
            params: dict[str, Any] | None = {
                "fields": "id,name,access_token,followers_count,fan_count,link",
                "access_token": tokens.access_token,
                "limit": 100,
            }
            for _page in range(10):  # 1,000 Pages at most
                if url is None:
                    break
                body = graph_call(
                    http,
                    "GET",
                    url,
                    what=self.what,
                    rate_limit_codes=FACEBOOK_RATE_LIMIT_CODES,
                    params=params,
                )
                for page in body.get("data") or []:
                    if not isinstance(page, dict) or not page.get("id"):
                        continue
                    page_id = str(page["id"])
                    name = str(page.get("name") or page_id)
                    followers = page.get("followers_count", page.get("fan_count"))
                    page_token = str(page.get("access_token") or "")
                    found.append(
                        Account(
                            account_id=page_id,
                            handle=name,
                            display_name=name,
                            url=str(page.get("link") or f"https://www.facebook.com/{page_id}"),
                            followers=_int(followers),
                            kind="company",
                            tokens=TokenSet(
                                access_token=page_token, expires_at=None, scope=tokens.scope
                            )
                            if page_token
                            else None,
                        )
                    )
                paging = body.get("paging") or {}
                # `next` carries every parameter (the token included) already.
                url = paging.get("next") if isinstance(paging, dict) else None
                params = None
        return found

    # ---- publishing

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        state = dict(post.state)
        state["feed_attempts"] = int(state.get("feed_attempts") or 0) + 1
        # No idempotency on /feed: say that a post may exist from now on (find_published then
        # reads the feed for the tracked link).
        post.save_state(state)
        data = {"message": post.text, "access_token": ctx.tokens.access_token}
        if post.link_url:
            data["link"] = post.link_url
        with base.http_client() as http:
            response = base.request(
                http, "POST", self._url(f"{ctx.account_id}/feed"), what=self.what, data=data
            )
            error = graph_error(
                response, what=self.what, rate_limit_codes=FACEBOOK_RATE_LIMIT_CODES
            )
            if error is not None:
                code = _int(graph_error_fields(response).get("code"))
                if code == DUPLICATE_POST_CODE:
                    # The same message went out already: an earlier attempt of ours, or a
                    # post the ambassador made by hand. Either way it is on the Page.
                    found = self._search_feed(http, ctx, post)
                    if found is not None:
                        return found
                    raise PermanentError(
                        _("Facebook refused this post as a duplicate of a recent one."),
                        detail=error.detail,
                        status=error.status,
                    ) from error
                if code == POLICY_BLOCK_CODE:
                    raise PermanentError(
                        _("Facebook blocked this post (policy). Try again later by hand."),
                        detail=error.detail,
                        status=error.status,
                    ) from error
                raise error
            body = response.json() if response.content else {}
        post_id = str(body.get("id") or "") if isinstance(body, dict) else ""
        if not post_id:
            raise TransientError(_("Facebook: unexpected answer."), detail=response.text)
        return PublishResult(remote_id=post_id, url=f"https://www.facebook.com/{post_id}")

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        with base.http_client() as http:
            return self._search_feed(http, ctx, post)

    def _search_feed(
        self, http: httpx.Client, ctx: ConnectionCtx, post: PostRequest
    ) -> PublishResult | None:
        if not post.link_url:
            return None
        body = self._call(
            http,
            "GET",
            f"{ctx.account_id}/feed",
            params={
                "fields": "id,message,link,created_time",
                "limit": self.find_limit,
                "access_token": ctx.tokens.access_token,
            },
        )
        for item in body.get("data") or []:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            if post.link_url in str(item.get("message") or "") or item.get("link") == post.link_url:
                post_id = str(item["id"])
                return PublishResult(remote_id=post_id, url=f"https://www.facebook.com/{post_id}")
        return None

    # ---- what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        results: dict[str, Metrics] = {}
        token = ctx.tokens.access_token
        with base.http_client() as http:
            for post_id in remote_ids:
                try:
                    body = self._call(
                        http,
                        "GET",
                        post_id,
                        params={
                            "fields": "reactions.summary(total_count).limit(0),"
                            "comments.summary(total_count).limit(0),shares",
                            "access_token": token,
                        },
                    )
                except (AuthError, TransientError):
                    raise
                except PermanentError:
                    continue  # deleted, or no longer visible to the Page token
                metrics = Metrics(
                    likes=_summary_total(body.get("reactions")),
                    replies=_summary_total(body.get("comments")),
                    # `shares` is absent until the post is shared once.
                    reposts=_int((body.get("shares") or {}).get("count")) or 0,
                )
                try:
                    insights = self._call(
                        http,
                        "GET",
                        f"{post_id}/insights",
                        params={"metric": "post_impressions", "access_token": token},
                    )
                except (AuthError, TransientError):
                    raise
                except PermanentError:
                    insights = {}  # no read_insights, or a metric Meta retired
                for entry in insights.get("data") or []:
                    if isinstance(entry, dict) and entry.get("name") == "post_impressions":
                        metrics.impressions = insight_value(entry)
                results[post_id] = metrics
        return results

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        with base.http_client() as http:
            body = self._call(
                http,
                "GET",
                ctx.account_id,
                params={"fields": "followers_count", "access_token": ctx.tokens.access_token},
            )
        return _int(body.get("followers_count"))


def _summary_total(edge: Any) -> int | None:
    if isinstance(edge, dict) and isinstance(edge.get("summary"), dict):
        return _int(edge["summary"].get("total_count"))
    return None
