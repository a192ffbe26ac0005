"""The Bluesky connector (AT Protocol): app-password sessions, posts with link cards,
idempotent record keys, metrics and followers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from portevoix.core import clock

from .. import base
from ..base import (
    Account,
    AuthError,
    ClientCredentials,
    ConnectionCtx,
    Connector,
    ConnectorError,
    Metrics,
    PostRequest,
    PublishResult,
    RateLimited,
    TokenSet,
    TransientError,
)
from .records import (
    _EXPIRED,
    APP_URL,
    GET_POSTS_MAX,
    POST_COLLECTION,
    THUMB_FETCH_MAX_BYTES,
    _count,
    _fit_thumb,
    link_facets,
    make_tid,
)
from .xrpc import (
    _json,
    _now_iso,
    _raise_for,
    _rkey_of,
    _xrpc_error,
    error_for,
    jwt_expiry,
    pds_from_did_doc,
)

logger = logging.getLogger("portevoix.networks.bluesky")


class BlueskyConnector(Connector):
    network: ClassVar[str] = "bluesky"
    auth_kind = "app_password"
    supports_metrics: ClassVar[bool] = True
    supports_followers: ClassVar[bool] = True
    # The access JWT lives two hours: refresh in its last ten minutes.
    refresh_margin: ClassVar[dt.timedelta] = dt.timedelta(minutes=10)

    def __init__(self, *, transport: httpx.BaseTransport | None = None) -> None:
        # Tests may pass a transport (to count or fake requests); the network is real otherwise.
        self._transport = transport

    # ---- plumbing

    @contextmanager
    def _http(self) -> Iterator[httpx.Client]:
        kwargs: dict[str, Any] = {}
        if self._transport is not None:
            kwargs["transport"] = self._transport
        with base.http_client(**kwargs) as client:
            yield client

    @staticmethod
    def _xrpc(host: str, nsid: str) -> str:
        return f"{host.rstrip('/')}/xrpc/{nsid}"

    @staticmethod
    def _pds(ctx: ConnectionCtx) -> str:
        return str(ctx.tokens.extra.get("pds") or ctx.instance)

    @staticmethod
    def _service(ctx: ConnectionCtx) -> str:
        return str(ctx.tokens.extra.get("service") or ctx.tokens.extra.get("pds") or ctx.instance)

    @staticmethod
    def _did(ctx: ConnectionCtx) -> str:
        return str(ctx.tokens.extra.get("did") or ctx.account_id)

    @staticmethod
    def _tokens_from_session(
        session: dict[str, Any], *, service: str, previous: TokenSet | None = None
    ) -> TokenSet:
        access, refresh = session.get("accessJwt"), session.get("refreshJwt")
        if not isinstance(access, str) or not isinstance(refresh, str) or not session.get("did"):
            raise TransientError(_("Bluesky: unexpected answer."), detail=str(session)[:2000])
        extra = dict(previous.extra) if previous else {}
        pds = pds_from_did_doc(session.get("didDoc"))
        if pds:
            # The DID document is the PDS's word: keep to public addresses as for the service.
            pds = base.guard_url(pds)
        extra.update(
            {
                "did": str(session["did"]),
                "handle": str(session.get("handle") or extra.get("handle") or ""),
                "service": service,
                "pds": pds or extra.get("pds") or service,
            }
        )
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            expires_at=jwt_expiry(access),
            refresh_expires_at=jwt_expiry(refresh),
            extra=extra,
        )

    def _refresh_in_place(self, ctx: ConnectionCtx, http: httpx.Client) -> None:
        tokens = self._refresh(ctx, http)
        ctx.tokens = tokens
        ctx.on_tokens_refreshed(tokens)

    def _call(
        self,
        ctx: ConnectionCtx,
        http: httpx.Client,
        method: str,
        nsid: str,
        *,
        params: Any = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
    ) -> httpx.Response:
        """An authenticated call to the account's PDS: the session refreshed first when it
        expires soon, and once more (then retried) when the PDS says it has expired."""
        if self.needs_refresh(ctx.tokens, clock.now()):
            self._refresh_in_place(ctx, http)
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {ctx.tokens.access_token}"}
            if content_type:
                headers["Content-Type"] = content_type
            response = base.request(
                http,
                method,
                self._xrpc(self._pds(ctx), nsid),
                what="Bluesky",
                params=params,
                json=json_body,
                content=content,
                headers=headers,
            )
            expired = response.status_code == 401 or (
                response.status_code == 400 and _xrpc_error(response)[0] in _EXPIRED
            )
            if not expired or attempt == 2 or not ctx.tokens.refresh_token:
                return response
            self._refresh_in_place(ctx, http)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- connecting

    def login(self, service: str, identifier: str, app_password: str) -> tuple[TokenSet, Account]:
        """A session for `identifier` (handle, DID or email) with an app password at
        `service` (the address the person gave, checked by `guard_url`)."""
        with self._http() as http:
            response = base.request(
                http,
                "POST",
                self._xrpc(service, "com.atproto.server.createSession"),
                what="Bluesky",
                json={"identifier": identifier, "password": app_password},
            )
            error, _message = _xrpc_error(response)
            if response.status_code == 401 or error == "AuthenticationRequired":
                raise AuthError(
                    _("Bluesky did not accept this handle and app password."),
                    detail=response.text[:2000],
                    status=response.status_code,
                )
            if error == "AuthFactorTokenRequired":
                raise AuthError(
                    _("This account asks for a code sent by email: use an app password instead."),
                    detail=response.text[:2000],
                    status=response.status_code,
                )
            _raise_for(response)
            session = _json(response)
            if session.get("active") is False:
                raise AuthError(
                    _("This Bluesky account is not active (%(status)s).")
                    % {"status": session.get("status") or _("deactivated")},
                    detail=str(session.get("status") or ""),
                )
            tokens = self._tokens_from_session(session, service=service)
            account = self._account(http, tokens, fallback_handle=str(session.get("handle") or ""))
        return tokens, account

    def _account(self, http: httpx.Client, tokens: TokenSet, *, fallback_handle: str) -> Account:
        did = str(tokens.extra["did"])
        ctx = ConnectionCtx(
            network=self.network,
            account_id=did,
            handle=fallback_handle,
            tokens=tokens,
            instance=str(tokens.extra.get("pds") or ""),
        )
        handle, display_name, followers = fallback_handle, "", None
        response = self._call(ctx, http, "GET", "app.bsky.actor.getProfile", params={"actor": did})
        if response.status_code == 200:
            profile = _json(response)
            handle = str(profile.get("handle") or handle)
            display_name = str(profile.get("displayName") or "")
            count = profile.get("followersCount")
            followers = count if isinstance(count, int) else None
        else:
            error = error_for(response)
            if isinstance(error, AuthError | RateLimited):
                raise error
            # A profile the AppView has not indexed yet: the connection still works.
            logger.info("bluesky_profile_unavailable status=%s", response.status_code)
        return Account(
            account_id=did,
            handle=handle,
            display_name=display_name,
            url=f"{APP_URL}/profile/{handle or did}",
            followers=followers,
        )

    def accounts(
        self, tokens: TokenSet, *, client: ClientCredentials | None = None, instance: str = ""
    ) -> list[Account]:
        with self._http() as http:
            return [
                self._account(http, tokens, fallback_handle=str(tokens.extra.get("handle") or ""))
            ]

    def _refresh(self, ctx: ConnectionCtx, http: httpx.Client) -> TokenSet:
        if not ctx.tokens.refresh_token:
            raise AuthError(_("This Bluesky connection has no session to refresh: reconnect it."))
        response = base.request(
            http,
            "POST",
            self._xrpc(self._service(ctx), "com.atproto.server.refreshSession"),
            what="Bluesky",
            headers={"Authorization": f"Bearer {ctx.tokens.refresh_token}"},
        )
        error = error_for(response)
        if error is not None:
            if response.status_code == 400 and not isinstance(error, AuthError):
                # A refresh refused as a bad request: the session is gone.
                raise AuthError(error.user_message, detail=error.detail, status=error.status)
            raise error
        session = _json(response)
        if str(session.get("did") or "") != self._did(ctx):
            raise AuthError(
                _("Bluesky answered for another account: reconnect it."), detail=str(session)[:500]
            )
        return self._tokens_from_session(session, service=self._service(ctx), previous=ctx.tokens)

    def refresh(self, ctx: ConnectionCtx) -> TokenSet:
        """New session tokens (the engine stores them). AuthError when the refresh JWT is
        expired or revoked (the app password was deleted): the person must reconnect."""
        with self._http() as http:
            return self._refresh(ctx, http)

    def revoke(self, ctx: ConnectionCtx) -> None:
        if not ctx.tokens.refresh_token:
            return
        with self._http() as http:
            base.request(
                http,
                "POST",
                self._xrpc(self._service(ctx), "com.atproto.server.deleteSession"),
                what="Bluesky",
                headers={"Authorization": f"Bearer {ctx.tokens.refresh_token}"},
            )

    # ---- publishing

    def post_url(self, ctx: ConnectionCtx, uri: str) -> str:
        return f"{APP_URL}/profile/{self._did(ctx)}/post/{_rkey_of(uri)}"

    def _result(self, ctx: ConnectionCtx, uri: str) -> PublishResult:
        return PublishResult(remote_id=uri, url=self.post_url(ctx, uri))

    def _get_post_record(
        self, ctx: ConnectionCtx, http: httpx.Client, rkey: str
    ) -> dict[str, Any] | None:
        response = self._call(
            ctx,
            http,
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": self._did(ctx), "collection": POST_COLLECTION, "rkey": rkey},
        )
        error, _message = _xrpc_error(response)
        if response.status_code == 400 and error == "RecordNotFound":
            return None
        _raise_for(response)
        return _json(response)

    def find_published(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult | None:
        rkey = str(post.state.get("rkey") or "")
        if not rkey:
            # No key was saved, so no attempt sent anything.
            return None
        with self._http() as http:
            record = self._get_post_record(ctx, http, rkey)
        if record is None:
            return None
        return self._result(ctx, str(record["uri"]))

    def _thumb(self, ctx: ConnectionCtx, http: httpx.Client, image_url: str) -> Any | None:
        """The link's image uploaded as a blob, or None when it cannot be had (the card goes
        without a picture: never a reason to fail the post)."""
        try:
            # No request to the inside of the network for a user-given address.
            base.guard_url(image_url)
            with (
                base.http_client(follow_redirects=False) as fetcher,
                fetcher.stream("GET", image_url) as response,
            ):
                if response.status_code != 200:
                    return None
                mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if not mime.startswith("image/"):
                    return None
                data = bytearray()
                for chunk in response.iter_bytes():
                    data.extend(chunk)
                    if len(data) > THUMB_FETCH_MAX_BYTES:
                        return None
            blob_bytes, mime = _fit_thumb(bytes(data), mime)
            if blob_bytes is None:
                return None
            response = self._call(
                ctx,
                http,
                "POST",
                "com.atproto.repo.uploadBlob",
                content=blob_bytes,
                content_type=mime,
            )
            _raise_for(response)
            return _json(response).get("blob")
        except (ConnectorError, httpx.HTTPError) as exc:
            logger.info("bluesky_thumb_skipped reason=%s", getattr(exc, "detail", "") or exc)
            return None

    def build_record(
        self, post: PostRequest, *, created_at: str, thumb: Any | None = None
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": created_at,
        }
        facets = link_facets(post.text, [post.link_url] if post.link_url else [])
        if facets:
            record["facets"] = facets
        if post.link_url:
            external: dict[str, Any] = {
                "uri": post.link_url,
                "title": post.link_title or "",
                "description": post.link_description or "",
            }
            if thumb:
                external["thumb"] = thumb
            record["embed"] = {"$type": "app.bsky.embed.external", "external": external}
        return record

    def publish(self, ctx: ConnectionCtx, post: PostRequest) -> PublishResult:
        rkey = str(post.state.get("rkey") or "")
        created_at = str(post.state.get("created_at") or "")
        with self._http() as http:
            if rkey:
                # An earlier attempt may have written it (the engine asks find_published
                # first; this makes publish safe on its own too).
                record = self._get_post_record(ctx, http, rkey)
                if record is not None:
                    return self._result(ctx, str(record["uri"]))
            else:
                rkey = make_tid()
                created_at = _now_iso()
                # Saved (committed) before anything is sent: every later attempt writes this
                # key, so the post can exist once at most.
                post.save_state({**post.state, "rkey": rkey, "created_at": created_at})
            thumb = self._thumb(ctx, http, post.link_image_url) if post.link_image_url else None
            response = self._call(
                ctx,
                http,
                "POST",
                "com.atproto.repo.createRecord",
                json_body={
                    "repo": self._did(ctx),
                    "collection": POST_COLLECTION,
                    "rkey": rkey,
                    "record": self.build_record(post, created_at=created_at, thumb=thumb),
                },
            )
            error = error_for(response)
            if error is None:
                return self._result(ctx, str(_json(response)["uri"]))
            if isinstance(error, AuthError | RateLimited):
                raise error
            # The key may be taken by an earlier attempt whose answer was lost (the PDS
            # answers a conflict with a 500): if the record is there, the post is published.
            try:
                record = self._get_post_record(ctx, http, rkey)
            except ConnectorError:
                record = None
            if record is not None:
                return self._result(ctx, str(record["uri"]))
            raise error

    # ---- what came back

    def fetch_metrics(self, ctx: ConnectionCtx, remote_ids: Iterable[str]) -> dict[str, Metrics]:
        uris = list(dict.fromkeys(uri for uri in remote_ids if uri.startswith("at://")))
        found: dict[str, Metrics] = {}
        with self._http() as http:
            for start in range(0, len(uris), GET_POSTS_MAX):
                batch = uris[start : start + GET_POSTS_MAX]
                response = self._call(
                    ctx, http, "GET", "app.bsky.feed.getPosts", params={"uris": batch}
                )
                _raise_for(response)
                for view in _json(response).get("posts") or []:
                    if not isinstance(view, dict) or view.get("uri") not in batch:
                        continue
                    found[str(view["uri"])] = Metrics(
                        likes=_count(view.get("likeCount")),
                        replies=_count(view.get("replyCount")),
                        reposts=_count(view.get("repostCount")),
                        quotes=_count(view.get("quoteCount")),
                        impressions=None,
                    )
        return found

    def fetch_followers(self, ctx: ConnectionCtx) -> int | None:
        with self._http() as http:
            response = self._call(
                ctx, http, "GET", "app.bsky.actor.getProfile", params={"actor": self._did(ctx)}
            )
            _raise_for(response)
            return _count(_json(response).get("followersCount"))
