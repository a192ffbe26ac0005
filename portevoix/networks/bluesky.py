"""Bluesky: a handle and an app password, posts as records in the account's repository.

Documentation followed:
- sessions: https://docs.bsky.app/docs/api/com-atproto-server-create-session
  (`com.atproto.server.createSession`, `refreshSession` with the refresh JWT as bearer,
  `deleteSession`); login is rate-limited hard, so a session is made once, at connection
  time, and then only refreshed. The access JWT lives about two hours, the refresh JWT about
  ninety days; both expiries are read from the JWTs' `exp` claims. As @atproto/api does,
  session calls go to the service the person logged in at (an entryway such as bsky.social)
  and every other call to their PDS, given by the DID document in the session
  (`#atproto_pds`); an expired access token is answered `400 ExpiredToken` (or 401): the
  connector refreshes once and retries, and hands the new tokens to `ctx.on_tokens_refreshed`.
- records: https://docs.bsky.app/docs/api/com-atproto-repo-create-record, `getRecord`,
  `uploadBlob`; record keys: https://atproto.com/specs/record-key and TIDs:
  https://atproto.com/specs/tid (13 base32-sortable characters: 53 bits of microseconds since
  the epoch, 10 bits of clock identifier).
- posts: https://docs.bsky.app/docs/advanced-guides/posts and
  https://docs.bsky.app/docs/advanced-guides/post-richtext (facets index UTF-8 *bytes*,
  start inclusive, end exclusive; `app.bsky.richtext.facet#link`), link cards
  (`app.bsky.embed.external`: uri, title, description, optional thumb blob of 1 MB at most).
- reading: `app.bsky.feed.getPosts` (25 uris at most per call: likeCount, replyCount,
  repostCount, quoteCount; no view counts) and `app.bsky.actor.getProfile` (followersCount),
  asked of the PDS, which forwards them to its AppView.
- errors: XRPC answers `{"error": "...", "message": "..."}`; rate limits:
  https://docs.bsky.app/docs/advanced-guides/rate-limits (429 with `ratelimit-reset`, epoch
  seconds).

Exactly once: `publish` makes the post's record key (a TID) on the first attempt and saves it
with `post.save_state` before any network call; every attempt writes that same key. A retry
whose earlier attempt reached the PDS finds the record with `getRecord` (`find_published`),
and a `createRecord` refused because the key is taken (the PDS answers 500 then) is checked
the same way: the post is already there, it is not written twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _
from PIL import Image

from portevoix.core import clock

from . import base
from .base import (
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

logger = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
GET_POSTS_MAX = 25
# app.bsky.embed.external#external: thumb is an image blob of 1,000,000 bytes at most.
THUMB_MAX_BYTES = 1_000_000
# What we read of a link's image before giving up on it.
THUMB_FETCH_MAX_BYTES = 10_000_000
THUMB_MAX_SIDE = 1200
APP_URL = "https://bsky.app"

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")

# Errors by which a PDS says the access token is no longer good: refresh, then retry once.
_EXPIRED = ("ExpiredToken", "InvalidToken")


# --------------------------------------------------------------------------- record keys


def make_tid(timestamp_us: int | None = None, clock_id: int | None = None) -> str:
    """A TID: the top bit 0, 53 bits of microseconds since the UNIX epoch, 10 bits of clock
    identifier, written as 13 base32-sortable characters (so TIDs sort by time)."""
    if timestamp_us is None:
        timestamp_us = time.time_ns() // 1000
    if clock_id is None:
        clock_id = secrets.randbelow(1024)
    if not 0 <= timestamp_us < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError("timestamp or clock id out of range")
    value = (timestamp_us << 10) | clock_id
    chars = []
    for _i in range(13):
        chars.append(TID_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


def tid_timestamp_us(tid: str) -> int:
    """The microseconds since the epoch that a TID carries."""
    if not TID_RE.match(tid):
        raise ValueError(f"not a TID: {tid!r}")
    value = 0
    for char in tid:
        value = (value << 5) | TID_ALPHABET.index(char)
    return value >> 10


def is_tid(value: str) -> bool:
    return bool(TID_RE.match(value))


# --------------------------------------------------------------------------- rich text

# An http(s) URL in running text: up to the next space or quote-like character.
_URL_RE = re.compile(r"https?://[^\s<>\"'`«»\u201c\u201d\u2018\u2019]+", re.IGNORECASE)
_TRAILING = ".,;:!?…)]}"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """Drop the punctuation that ends a sentence rather than the URL: "(see https://x.y/a)."
    keeps "https://x.y/a", "https://x.y/a_(b)" keeps its balanced parenthesis."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        opening = _PAIRS.get(last)
        if opening and url.count(opening) >= url.count(last):
            break
        url = url[:-1]
    return url


def utf8_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of the character at `index` (a str index) of `text`."""
    return len(text[:index].encode("utf-8"))


def link_facets(text: str, link_urls: Iterable[str] = ()) -> list[dict[str, Any]]:
    """`app.bsky.richtext.facet` link facets for every http(s) URL written in `text`, with
    UTF-8 byte offsets. `link_urls` (the tracked link) are also found where they stand exactly
    as given, whatever the characters around them."""
    spans: dict[tuple[int, int], str] = {}
    for match in _URL_RE.finditer(text):
        url = _trim_url(match.group(0))
        if len(url) > len(match.group(0).split("://", 1)[0]) + 3:
            spans[(match.start(), match.start() + len(url))] = url
    for link in link_urls:
        if not link:
            continue
        start = text.find(link)
        while start != -1:
            end = start + len(link)
            # The longest span wins: drop any detected URL inside this one.
            for key in [k for k in spans if k[0] >= start and k[1] <= end]:
                del spans[key]
            if not any(k[0] <= start and k[1] >= end for k in spans):
                spans[(start, end)] = link
            start = text.find(link, end)
    facets = []
    for (start, end), url in sorted(spans.items()):
        facets.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": utf8_offset(text, start), "byteEnd": utf8_offset(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


# --------------------------------------------------------------------------- sessions


def jwt_expiry(token: str) -> dt.datetime | None:
    """The `exp` claim of a JWT (not verified: it only tells when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    except (IndexError, KeyError, TypeError, ValueError, OverflowError):
        return None


def pds_from_did_doc(did_doc: Any) -> str:
    """The `#atproto_pds` service endpoint of a DID document, or ""."""
    if not isinstance(did_doc, dict):
        return ""
    for service in did_doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        if str(service.get("id", "")).endswith("#atproto_pds") and isinstance(
            service.get("serviceEndpoint"), str
        ):
            return str(service["serviceEndpoint"])
    return ""


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("message") or "")[:300]


def error_for(response: httpx.Response) -> ConnectorError | None:
    """What a PDS or AppView answer means for the engine; None for a 2xx."""
    status = response.status_code
    if status < 400:
        return None
    detail = response.text[:2000]
    error, message = _xrpc_error(response)
    if status == 429:
        return RateLimited(
            _("Bluesky: too many requests, will try again later."),
            retry_at=base.retry_at_from_headers(response.headers),
            detail=detail,
            status=status,
        )
    if status == 401 or error in _EXPIRED or error in ("AccountTakedown", "AccountDeactivated"):
        return AuthError(
            _(
                "Bluesky refused the connection (session expired or app password revoked). "
                "Reconnect it."
            ),
            detail=detail,
            status=status,
        )
    if status >= 500 or status in (408, 425):
        return TransientError(
            _("Bluesky: temporary error (%(status)s).") % {"status": status},
            detail=detail,
            status=status,
        )
    return PermanentError(
        _("Bluesky refused the request: %(error)s") % {"error": message or error or status},
        detail=detail,
        status=status,
    )


def _raise_for(response: httpx.Response) -> None:
    error = error_for(response)
    if error is not None:
        raise error


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise TransientError(_("Bluesky: unexpected answer."), detail=response.text[:2000]) from exc
    if not isinstance(body, dict):
        raise TransientError(_("Bluesky: unexpected answer."), detail=response.text[:2000])
    return body


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rkey_of(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


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


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fit_thumb(data: bytes, mime: str) -> tuple[bytes | None, str]:
    """The image as it may go in a card (1 MB at most): as is when small enough, else
    scaled down and re-encoded as JPEG; None when it is not an image Pillow can read."""
    if len(data) <= THUMB_MAX_BYTES:
        return data, mime
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE))
            converted = image.convert("RGB")
            for quality in (85, 70, 50):
                out = io.BytesIO()
                converted.save(out, format="JPEG", quality=quality, optimize=True)
                if out.tell() <= THUMB_MAX_BYTES:
                    return out.getvalue(), "image/jpeg"
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, mime
    return None, mime
