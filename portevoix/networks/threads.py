"""Threads (Meta), through the Threads API on graph.threads.net.

Documentation followed:
- authorization and tokens: https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
  and https://developers.facebook.com/docs/threads/get-started/long-lived-tokens (the code gives a
  short-lived token, 1 hour, exchanged at once for a long-lived one, 60 days, which can be
  refreshed once it is at least 24 hours old and not expired);
- publishing: https://developers.facebook.com/docs/threads/posts (a media container, then
  `threads_publish`) and https://developers.facebook.com/docs/threads/troubleshooting (container
  status: IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED);
- insights: https://developers.facebook.com/docs/threads/insights.

Exactly once: publishing is two steps, and the container id is saved (`post.save_state`)
between them, before `threads_publish`. A later attempt asks the container's status:
PUBLISHED means an earlier `threads_publish` went through (the post is found again in the
account's recent threads by its tracked link, or by the saved media id); FINISHED or
IN_PROGRESS means it did not, and the same container is published (never a second one);
ERROR or EXPIRED (24 hours) means a new container. Nothing is published without a saved
container, so an attempt that saved none has published nothing.

Errors follow the Graph API shape (see `facebook.graph_error`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

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
    TokenSet,
    TransientError,
)
from portevoix.networks.facebook import (
    expires_at_from,
    graph_call,
    insight_value,
)

THREADS_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})

IN_PROGRESS = "IN_PROGRESS"
FINISHED = "FINISHED"
PUBLISHED = "PUBLISHED"
ERROR = "ERROR"
EXPIRED = "EXPIRED"
UNKNOWN = "UNKNOWN"  # ours: Threads answered that the container does not exist

MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes")


def _issued_at(tokens: TokenSet) -> dt.datetime | None:
    value = tokens.extra.get("issued_at")
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class ThreadsConnector(Connector):
    network = "threads"
    scopes = ("threads_basic", "threads_content_publish", "threads_manage_insights")
    # Long-lived tokens last 60 days and can be refreshed once 24 hours old: a week ahead.
    refresh_margin = dt.timedelta(days=7)
    min_refresh_age: ClassVar[dt.timedelta] = dt.timedelta(hours=24)
    # A new container is checked before it is published; text containers are ready at once,
    # others may take a moment (tests set the interval to 0).
    container_poll_attempts: ClassVar[int] = 3
    container_poll_interval: ClassVar[float] = 2.0
    # find_published reads this many pages of 25 recent threads.
    find_pages: ClassVar[int] = 4

    what: ClassVar[str] = "Threads"

    # ---- helpers

    def _api(self) -> tuple[str, str]:
        ends = base.endpoints(self.network)
        return ends["api"].rstrip("/"), ends.get("version", "v1.0")

    def _url(self, path: str) -> str:
        api, version = self._api()
        return f"{api}/{version}/{path.lstrip('/')}"

    def _get(self, http: httpx.Client, path: str, token: str, **params: Any) -> dict[str, Any]:
        return graph_call(
            http,
            "GET",
            self._url(path),
            what=self.what,
            rate_limit_codes=THREADS_RATE_LIMIT_CODES,
            params={**params, "access_token": token},
        )

    def _post(self, http: httpx.Client, path: str, token: str, **data: Any) -> dict[str, Any]:
        return graph_call(
            http,
            "POST",
            self._url(path),
            what=self.what,
            rate_limit_codes=THREADS_RATE_LIMIT_CODES,
            data={**data, "access_token": token},
        )

    # ---- connecting

    def authorize_url(
        self, client: ClientCredentials, *, state: str, code_challenge: str = "", instance: str = ""
    ) -> str:
        query = {
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "scope": ",".join(self.scopes),
            "response_type": "code",
            "state": state,
        }
        return f"{base.endpoints(self.network)['authorize']}?{urlencode(query)}"

    def exchange_code(
        self, client: ClientCredentials, *, code: str, code_verifier: str = "", instance: str = ""
    ) -> TokenSet:
        # The code gives a short-lived token (and the user id) that is exchanged at once, by a
        # GET with a Threads-specific grant, for a long-lived one: plain httpx, not Authlib.
        api, _version = self._api()
        with base.http_client() as http:
            short = graph_call(
                http,
                "POST",
                f"{api}/oauth/access_token",
                what=self.what,
                rate_limit_codes=THREADS_RATE_LIMIT_CODES,
                data={
                    "client_id": client.client_id,
                    "client_secret": client.client_secret,
                    "grant_type": "authorization_code",
                    "redirect_uri": client.redirect_uri,
                    "code": code,
                },
            )
            short_token = str(short.get("access_token") or "")
            if not short_token:
                raise AuthError(_("Threads did not give an access token."), detail=str(short))
            long = graph_call(
                http,
                "GET",
                f"{api}/access_token",
                what=self.what,
                rate_limit_codes=THREADS_RATE_LIMIT_CODES,
                params={
                    "grant_type": "th_exchange_token",
                    "client_secret": client.client_secret,
                    "access_token": short_token,
                },
            )
        long_token = str(long.get("access_token") or "")
        if not long_token:
            raise AuthError(_("Threads did not give a long-lived token."), detail=str(long))
        now = timezone.now()
        return TokenSet(
            access_token=long_token,
            expires_at=expires_at_from(long, now),
            scope=",".join(self.scopes),
            extra={"user_id": str(short.get("user_id") or ""), "issued_at": now.isoformat()},
        )

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        with base.http_client() as http:
            me = self._get(
                http,
                "me",
                tokens.access_token,
                fields="id,username,name,threads_profile_picture_url",
            )
            user_id = str(me.get("id") or tokens.extra.get("user_id") or "")
            followers: int | None
            try:
                followers = self._followers(http, user_id, tokens.access_token)
            except ConnectorError:
                followers = None  # insights are a bonus here, never a reason to fail
        username = str(me.get("username") or "")
        return [
            Account(
                account_id=user_id,
                handle=username,
                display_name=str(me.get("name") or username),
                url=f"https://www.threads.net/@{username}" if username else "",
                followers=followers,
                kind="personal",
            )
        ]

    def needs_refresh(self, tokens: TokenSet, now: dt.datetime) -> bool:
        issued = _issued_at(tokens)
        if issued is not None and now - issued < self.min_refresh_age:
            return False  # Threads refuses to refresh a token younger than 24 hours
        return super().needs_refresh(tokens, now)

    def refresh(self, ctx: ConnectionCtx) -> TokenSet:
        tokens = ctx.tokens
        now = timezone.now()
        if tokens.expires_at is not None and tokens.expires_at <= now:
            raise AuthError(_("The Threads connection expired: reconnect it."))
        issued = _issued_at(tokens)
        if issued is not None and now - issued < self.min_refresh_age:
            return tokens  # too young to be refreshed, and valid for weeks still
        api, _version = self._api()
        with base.http_client() as http:
            body = graph_call(
                http,
                "GET",
                f"{api}/refresh_access_token",
                what=self.what,
                rate_limit_codes=THREADS_RATE_LIMIT_CODES,
                params={"grant_type": "th_refresh_token", "access_token": tokens.access_token},
            )
        token = str(body.get("access_token") or "")
        if not token:
            raise AuthError(_("Threads did not give a new token."), detail=str(body))
        return TokenSet(
            access_token=token,
            expires_at=expires_at_from(body, now),
            scope=tokens.scope,
            extra={**tokens.extra, "issued_at": now.isoformat()},
        )

    # ---- publishing

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        state = dict(post.state)
        token = ctx.tokens.access_token
        with base.http_client() as http:
            container_id = str(state.get("container_id") or "")
            status = ""
            if container_id:
                status, _message = self._container_status(http, container_id, token)
                if status == PUBLISHED:
                    found = self._find_media(http, ctx, post)
                    if found is not None:
                        return found
                    raise PermanentError(
                        _("Threads published this post but it could not be found again."),
                        detail=f"container {container_id} is PUBLISHED",
                    )
                if status == UNKNOWN:
                    # Threads no longer knows the container: look for the post all the same.
                    found = self._find_media(http, ctx, post)
                    if found is not None:
                        return found
                if status not in (FINISHED, IN_PROGRESS):
                    container_id = ""  # ERROR, EXPIRED or unknown: a new container
            if not container_id:
                data: dict[str, Any] = {"media_type": "TEXT", "text": post.text}
                if post.link_url:
                    data["link_attachment"] = post.link_url
                body = self._post(http, f"{ctx.account_id}/threads", token, **data)
                container_id = str(body.get("id") or "")
                if not container_id:
                    raise TransientError(_("Threads: unexpected answer."), detail=str(body))
                state.pop("media_id", None)
                state["container_id"] = container_id
                # Before threads_publish: the next attempt must find this container.
                post.save_state(dict(state))
                status = ""
            self._wait_until_finished(http, container_id, token, status)
            body = self._post(
                http, f"{ctx.account_id}/threads_publish", token, creation_id=container_id
            )
            media_id = str(body.get("id") or "")
            if not media_id:
                raise TransientError(_("Threads: unexpected answer."), detail=str(body))
            state["media_id"] = media_id
            post.save_state(dict(state))
            return PublishResult(remote_id=media_id, url=self._permalink(http, media_id, token))

    def _container_status(
        self, http: httpx.Client, container_id: str, token: str
    ) -> tuple[str, str]:
        """The container's status and error message; UNKNOWN when Threads no longer has it."""
        try:
            body = self._get(http, container_id, token, fields="status,error_message")
        except AuthError:
            raise
        except PermanentError as exc:
            return UNKNOWN, exc.detail
        return str(body.get("status") or "").upper(), str(body.get("error_message") or "")

    def _wait_until_finished(
        self, http: httpx.Client, container_id: str, token: str, status: str
    ) -> None:
        for attempt in range(self.container_poll_attempts):
            if status != FINISHED:
                if attempt and status == IN_PROGRESS and self.container_poll_interval:
                    time.sleep(self.container_poll_interval)
                status, message = self._container_status(http, container_id, token)
            if status == FINISHED:
                return
            if status == IN_PROGRESS:
                continue
            if status == PUBLISHED:
                # Published behind our back since we looked: the next attempt finds it.
                raise TransientError(
                    _("Threads: the post is being published, will check again."),
                    detail=f"container {container_id} is PUBLISHED",
                )
            raise PermanentError(
                _("Threads could not prepare this post (%(reason)s).")
                % {"reason": message or status or "unknown"},
                detail=f"container {container_id}: {status} {message}",
            )
        raise TransientError(
            _("Threads is still processing this post, will try again."),
            detail=f"container {container_id} is {status}",
        )

    def _permalink(self, http: httpx.Client, media_id: str, token: str) -> str:
        try:
            body = self._get(http, media_id, token, fields="permalink")
        except ConnectorError:
            return ""  # published all the same; the link is a convenience
        return str(body.get("permalink") or "")

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        state = post.state
        container_id = str(state.get("container_id") or "")
        if not container_id:
            return None  # nothing is published without a saved container
        token = ctx.tokens.access_token
        with base.http_client() as http:
            status, _message = self._container_status(http, container_id, token)
            if status in (PUBLISHED, UNKNOWN):
                return self._find_media(http, ctx, post)
            return None  # FINISHED/IN_PROGRESS: publish it; ERROR/EXPIRED: a new one

    def _find_media(
        self, http: httpx.Client, ctx: ConnectionCtx, post: PostRequest
    ) -> PublishResult | None:
        """The published thread of this post: by its saved media id, else by the tracked link
        in the account's recent threads."""
        token = ctx.tokens.access_token
        media_id = str(post.state.get("media_id") or "")
        if media_id:
            try:
                body = self._get(http, media_id, token, fields="id,permalink")
            except (AuthError, TransientError):
                raise
            except PermanentError:
                body = {}
            if body.get("id"):
                return PublishResult(
                    remote_id=str(body["id"]), url=str(body.get("permalink") or "")
                )
        url: str | None = self._url(f"{ctx.account_id}/threads")
        params: dict[str, Any] | None = {
            "fields": "id,text,permalink,link_attachment_url",
            "limit": 25,
            "access_token": token,
        }
        for _page in range(self.find_pages):
            if url is None:
                break
            body = graph_call(
                http,
                "GET",
                url,
                what=self.what,
                rate_limit_codes=THREADS_RATE_LIMIT_CODES,
                params=params,
            )
            for item in body.get("data") or []:
                if not isinstance(item, dict) or not item.get("id"):
                    continue
                text = str(item.get("text") or "")
                if (media_id and str(item["id"]) == media_id) or (
                    post.link_url
                    and (post.link_url in text or item.get("link_attachment_url") == post.link_url)
                ):
                    return PublishResult(
                        remote_id=str(item["id"]), url=str(item.get("permalink") or "")
                    )
            paging = body.get("paging") or {}
            url = paging.get("next") if isinstance(paging, dict) else None
            params = None  # `next` carries every parameter
        return None

    # ---- what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        results: dict[str, Metrics] = {}
        token = ctx.tokens.access_token
        with base.http_client() as http:
            for media_id in remote_ids:
                try:
                    body = self._get(
                        http, f"{media_id}/insights", token, metric=",".join(MEDIA_METRICS)
                    )
                except (AuthError, TransientError):
                    raise
                except PermanentError:
                    continue  # deleted, or not ours
                values: dict[str, int | None] = {}
                for entry in body.get("data") or []:
                    if isinstance(entry, dict) and entry.get("name") in MEDIA_METRICS:
                        values[str(entry["name"])] = insight_value(entry)
                results[media_id] = Metrics(
                    likes=values.get("likes"),
                    replies=values.get("replies"),
                    reposts=values.get("reposts"),
                    quotes=values.get("quotes"),
                    impressions=values.get("views"),
                )
        return results

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        with base.http_client() as http:
            return self._followers(http, ctx.account_id, ctx.tokens.access_token)

    def _followers(self, http: httpx.Client, user_id: str, token: str) -> int | None:
        body = self._get(http, f"{user_id}/threads_insights", token, metric="followers_count")
        for entry in body.get("data") or []:
            if isinstance(entry, dict) and entry.get("name") == "followers_count":
                return insight_value(entry)
        return None
