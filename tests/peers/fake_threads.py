"""A local fake of Meta's Threads API (graph.threads.net), on 127.0.0.1 (tests/peers/server.py).

It follows:
- https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions:
  `POST /oauth/access_token` (client_id, client_secret, grant_type=authorization_code,
  redirect_uri, code) answers `{"access_token", "user_id"}`, a short-lived token valid 1 hour;
  its errors have the flat OAuth shape `{"error_type", "code", "error_message"}`;
- https://developers.facebook.com/docs/threads/get-started/long-lived-tokens:
  `GET /access_token?grant_type=th_exchange_token&client_secret&access_token` (an unexpired
  short-lived token) and `GET /refresh_access_token?grant_type=th_refresh_token&access_token`
  answer `{"access_token", "token_type": "bearer", "expires_in"}` (60 days). A long-lived token
  is refreshed only when at least 24 hours old and not expired; the documentation does not give
  the refusal's body, so the fake answers a Graph error 100 ("Invalid parameter") for a token
  too young, and 190/463 for an expired one;
- https://developers.facebook.com/docs/threads/posts: `POST /{version}/{user-id}/threads`
  (media_type=TEXT, text up to 500 characters, link_attachment) makes a container, `POST
  /{version}/{user-id}/threads_publish` (creation_id) publishes it; a container is published
  once, and expires after 24 hours;
- https://developers.facebook.com/docs/threads/troubleshooting: `GET /{container-id}?fields=
  status,error_message` -> IN_PROGRESS / FINISHED / PUBLISHED / ERROR / EXPIRED;
- https://developers.facebook.com/docs/threads/threads-media (`GET /{user-id}/threads`, `GET
  /{media-id}?fields=permalink,...`) and https://developers.facebook.com/docs/threads/insights
  (`/{media-id}/insights` with `values[].value`, `/{user-id}/threads_insights` where
  followers_count has `total_value.value`);
- errors and limits as the Graph API (see tests/peers/fake_facebook.py): HTTP 400 with
  `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, 190 for a bad or
  expired token; an `X-App-Usage` header on every response; `storm(n)` throttles with code 4
  (or an HTTP 429, with `Retry-After` when asked).

Test helpers: `issue_code`, `long_lived_token`, `age_token`, `expire_token`, `storm`,
`set_container_status`, `set_metrics`, `set_followers`, `fail_next_publish_after_commit`,
`publish_calls()`, `container_creations()`.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.peers.fake_facebook import (
    FakeClock,
    Storm,
    graph_error,
    iso,
    request_params,
    request_token,
    split_fields,
    token_error,
)
from tests.peers.server import FakeApp, Handler, Req, Resp

SHORT_LIVED = 3600
LONG_LIVED = 5184000  # 60 days
MIN_REFRESH_AGE = 24 * 3600
CONTAINER_LIFETIME = 24 * 3600
MAX_TEXT = 500


@dataclass
class Token:
    user_id: str
    issued_at: float
    expires_at: float
    long_lived: bool


@dataclass
class Container:
    container_id: str
    user_id: str
    text: str
    link: str
    created: float
    status: str = "FINISHED"
    error_message: str = ""
    in_progress_polls: int = 0  # how many status reads still answer IN_PROGRESS
    media_id: str = ""


@dataclass
class Media:
    media_id: str
    user_id: str
    text: str
    link: str
    created: float
    shortcode: str
    views: int = 0
    likes: int = 0
    replies: int = 0
    reposts: int = 0
    quotes: int = 0


class FakeThreads:
    def __init__(
        self,
        *,
        version: str = "v1.0",
        client_id: str = "threads-app-id",
        client_secret: str = "threads-app-secret",
        redirect_uri: str = "https://portevoix.test/connect/threads/callback",
        app: FakeApp | None = None,
        base_url: str = "",
    ) -> None:
        self.version = version
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.clock = FakeClock()
        self.lock = threading.RLock()
        self.users: dict[str, dict[str, str]] = {}
        self.followers: dict[str, int] = {}
        self.codes: dict[str, str] = {}
        self.tokens: dict[str, Token] = {}
        self.containers: dict[str, Container] = {}
        self.media: dict[str, Media] = {}
        self.storm_state = Storm(code=4)
        self.fail_after_publish = 0
        self._ids = itertools.count(17_890_000_000_000_001)
        self.base_url = base_url
        # A server may be shared by the tests of a module (starting one costs its shutdown's
        # half-second poll): a new fake takes the app over, routes and call log reset.
        self.app = app if app is not None else FakeApp("threads")
        with self.app.lock:
            self.app.routes.clear()
            self.app.calls.clear()
        self.app.before = self._before
        self._routes()

    # ---- test helpers

    def add_user(self, user_id: str = "7701", username: str = "alice", name: str = "Alice") -> str:
        self.users[user_id] = {"username": username, "name": name}
        self.followers.setdefault(user_id, 0)
        return user_id

    def issue_code(self, user_id: str = "7701") -> str:
        code = "AQ" + secrets.token_hex(12)
        self.codes[code] = user_id
        return code

    def _new_token(self, user_id: str, *, long_lived: bool) -> str:
        token = ("THQW" if long_lived else "THQS") + secrets.token_hex(16)
        now = self.clock.now()
        life = LONG_LIVED if long_lived else SHORT_LIVED
        self.tokens[token] = Token(user_id, now, now + life, long_lived)
        return token

    def long_lived_token(self, user_id: str = "7701", *, age_hours: float = 0) -> str:
        token = self._new_token(user_id, long_lived=True)
        self.age_token(token, hours=age_hours)
        return token

    def age_token(self, token: str, *, hours: float) -> None:
        """Make a token older (its expiry moves back too)."""
        self.tokens[token].issued_at -= hours * 3600
        self.tokens[token].expires_at -= hours * 3600

    def expire_token(self, token: str) -> None:
        self.tokens[token].expires_at = self.clock.now() - 1

    def storm(
        self, n: int, *, code: int = 4, status: int = 400, retry_after: int | None = None
    ) -> None:
        """The next n requests are throttled: Graph code `code` (HTTP 400), or HTTP 429."""
        self.storm_state = Storm(n, code, status, 0, retry_after)

    def set_container_status(
        self, container_id: str, status: str, *, error_message: str = "", in_progress_polls: int = 0
    ) -> None:
        container = self.containers[container_id]
        container.status = status
        container.error_message = error_message
        container.in_progress_polls = in_progress_polls

    def set_metrics(self, media_id: str, **values: int) -> None:
        for name, value in values.items():
            setattr(self.media[media_id], name, value)

    def set_followers(self, user_id: str, count: int) -> None:
        self.followers[user_id] = count

    def fail_next_publish_after_commit(self, n: int = 1) -> None:
        """The next n `threads_publish` calls publish, then answer a transient 500."""
        self.fail_after_publish = n

    def publish_calls(self) -> list[int]:
        """Indexes in `app.calls` of the `threads_publish` requests."""
        return [
            i
            for i, c in enumerate(self.app.calls)
            if c.method == "POST" and c.path.endswith("/threads_publish")
        ]

    def container_creations(self) -> int:
        return sum(1 for c in self.app.calls if c.method == "POST" and c.path.endswith("/threads"))

    def user_media(self, user_id: str) -> list[Media]:
        return sorted(
            (m for m in self.media.values() if m.user_id == user_id),
            key=lambda m: m.created,
            reverse=True,
        )

    # ---- plumbing

    def _usage(self, *, throttled: bool = False) -> dict[str, str]:
        calls = 100 if throttled else min(len(self.app.calls), 99)
        return {
            "X-App-Usage": json.dumps({"call_count": calls, "total_cputime": 1, "total_time": 1})
        }

    def _before(self, req: Req) -> Resp | None:
        with self.lock:
            storm = self.storm_state
            if storm.remaining <= 0:
                return None
            storm.remaining -= 1
        headers = self._usage(throttled=True)
        if storm.retry_after is not None:
            headers["Retry-After"] = str(storm.retry_after)
        if storm.status == 429:
            return graph_error("Too many requests", storm.code, status=429, headers=headers)
        messages = {
            4: "(#4) Application request limit reached",
            17: "(#17) User request limit reached",
            613: "(#613) Calls to this api have exceeded the rate limit.",
        }
        return graph_error(
            messages.get(storm.code, "Too many calls"), storm.code, status=400, headers=headers
        )

    def _route(self, method: str, pattern: str) -> Any:
        def register(handler: Handler) -> Handler:
            def wrapped(req: Req) -> Resp:
                with self.lock:
                    resp = handler(req)
                return Resp(resp.status, resp.body, {**self._usage(), **resp.headers})

            self.app.route(method, pattern)(wrapped)
            return handler

        return register

    def _token(self, req: Req) -> tuple[str, Token | None, Resp | None]:
        token = request_token(req)
        if not token:
            return (
                "",
                None,
                graph_error("An access token is required to request this resource.", 104),
            )
        found = self.tokens.get(token)
        if found is None:
            return (
                token,
                None,
                token_error("Invalid OAuth access token - Cannot parse access token"),
            )
        if found.expires_at <= self.clock.now():
            return (
                token,
                None,
                token_error(
                    "Error validating access token: Session has expired on "
                    f"{iso(found.expires_at)}.",
                    subcode=463,
                ),
            )
        return token, found, None

    def _check_user(self, req: Req, user_id: str) -> Resp | None:
        _token, found, error = self._token(req)
        if error is not None or found is None:
            return error or Resp(500)
        if user_id not in ("me", found.user_id):
            return self._unsupported(user_id, req.method.lower())
        return None

    def _unsupported(self, object_id: str, method: str = "get") -> Resp:
        return graph_error(
            f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot "
            "be loaded due to missing permissions, or does not support this operation.",
            100,
            subcode=33,
            type_="THApiException",
        )

    def _permalink(self, media: Media) -> str:
        username = self.users.get(media.user_id, {}).get("username", "user")
        return f"https://www.threads.net/@{username}/post/{media.shortcode}"

    def _media_view(self, media: Media, fields: list[str]) -> dict[str, Any]:
        full = {
            "id": media.media_id,
            "media_product_type": "THREADS",
            "media_type": "TEXT_POST",
            "text": media.text,
            "permalink": self._permalink(media),
            "timestamp": iso(media.created),
            "shortcode": media.shortcode,
            "username": self.users.get(media.user_id, {}).get("username", ""),
            "link_attachment_url": media.link,
        }
        return {k: full[k] for k in ["id", *fields] if k in full and full[k] != ""}

    def _container_status(self, container: Container) -> str:
        if container.status in ("FINISHED", "IN_PROGRESS") and (
            self.clock.now() - container.created > CONTAINER_LIFETIME
        ):
            container.status = "EXPIRED"
        return container.status

    # ---- routes

    def _routes(self) -> None:
        v = self.version
        route = self._route

        @route("POST", "/oauth/access_token")
        def exchange_code(req: Req) -> Resp:
            p = request_params(req)

            def oauth_error(message: str) -> Resp:
                return Resp(
                    400, {"error_type": "OAuthException", "code": 400, "error_message": message}
                )

            if p.get("client_id") != self.client_id:
                return oauth_error("Invalid platform app")
            if p.get("client_secret") != self.client_secret:
                return oauth_error("Error validating client secret.")
            if p.get("grant_type") != "authorization_code":
                return oauth_error("Unsupported grant_type")
            if p.get("redirect_uri") != self.redirect_uri:
                return oauth_error("Error validating verification code. redirect_uri mismatch")
            user_id = self.codes.pop(p.get("code", ""), None)
            if user_id is None:
                return oauth_error("Matching code was not found or was already used")
            token = self._new_token(user_id, long_lived=False)
            return Resp(200, {"access_token": token, "user_id": int(user_id)})

        @route("GET", "/access_token")
        def long_lived(req: Req) -> Resp:
            p = request_params(req)
            if p.get("grant_type") != "th_exchange_token":
                return graph_error("Unsupported grant_type", 100)
            if p.get("client_secret") != self.client_secret:
                return graph_error("Error validating client secret.", 1)
            _token, found, error = self._token(req)
            if error is not None or found is None:
                return error or Resp(500)
            if found.long_lived:
                return graph_error("A short-lived access token is required.", 100)
            token = self._new_token(found.user_id, long_lived=True)
            return Resp(
                200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED}
            )

        @route("GET", "/refresh_access_token")
        def refresh(req: Req) -> Resp:
            p = request_params(req)
            if p.get("grant_type") != "th_refresh_token":
                return graph_error("Unsupported grant_type", 100)
            _token, found, error = self._token(req)
            if error is not None or found is None:
                return error or Resp(500)
            if not found.long_lived:
                return graph_error("Only long-lived access tokens can be refreshed.", 100)
            if self.clock.now() - found.issued_at < MIN_REFRESH_AGE:
                return graph_error(
                    "Long-lived access tokens can be refreshed once they are at least 24 hours "
                    "old.",
                    100,
                )
            token = self._new_token(found.user_id, long_lived=True)
            return Resp(
                200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED}
            )

        @route("GET", f"/{v}/me")
        def me(req: Req) -> Resp:
            _token, found, error = self._token(req)
            if error is not None or found is None:
                return error or Resp(500)
            user = self.users.get(found.user_id, {})
            full = {
                "id": found.user_id,
                "username": user.get("username", ""),
                "name": user.get("name", ""),
                "threads_profile_picture_url": f"https://scontent.test/{found.user_id}.jpg",
                "threads_biography": "",
            }
            fields = split_fields(request_params(req).get("fields") or "id")
            return Resp(200, {k: full[k] for k in ["id", *fields] if k in full})

        @route("POST", f"/{v}/{{user_id}}/threads")
        def create_container(req: Req) -> Resp:
            error = self._check_user(req, req.params["user_id"])
            if error is not None:
                return error
            _t, found, _e = self._token(req)
            assert found is not None
            p = request_params(req)
            media_type = p.get("media_type", "")
            if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
                return graph_error("(#100) The parameter media_type is required.", 100)
            text = p.get("text", "")
            if media_type == "TEXT" and not text:
                return graph_error("(#100) The parameter text is required.", 100)
            if len(text) > MAX_TEXT:
                return graph_error(
                    f"(#100) Param text must be at most {MAX_TEXT} characters long.", 100
                )
            container_id = str(next(self._ids))
            self.containers[container_id] = Container(
                container_id, found.user_id, text, p.get("link_attachment", ""), self.clock.now()
            )
            return Resp(200, {"id": container_id})

        @route("GET", f"/{v}/{{user_id}}/threads")
        def list_threads(req: Req) -> Resp:
            user_id = req.params["user_id"]
            error = self._check_user(req, user_id)
            if error is not None:
                return error
            _t, found, _e = self._token(req)
            assert found is not None
            p = request_params(req)
            fields = split_fields(p.get("fields") or "id")
            limit = min(int(p.get("limit") or 25), 100)
            start = int(p.get("after") or 0)
            items = self.user_media(found.user_id)
            body: dict[str, Any] = {
                "data": [self._media_view(m, fields) for m in items[start : start + limit]],
                "paging": {"cursors": {"before": str(start), "after": str(start + limit)}},
            }
            if start + limit < len(items):
                query = {**p, "after": str(start + limit)}
                body["paging"]["next"] = f"{self.base_url}/{v}/{user_id}/threads?{urlencode(query)}"
            return Resp(200, body)

        @route("POST", f"/{v}/{{user_id}}/threads_publish")
        def publish(req: Req) -> Resp:
            error = self._check_user(req, req.params["user_id"])
            if error is not None:
                return error
            _t, found, _e = self._token(req)
            assert found is not None
            creation_id = request_params(req).get("creation_id", "")
            container = self.containers.get(creation_id)
            if container is None or container.user_id != found.user_id:
                return graph_error("(#100) The parameter creation_id is required.", 100)
            status = self._container_status(container)
            if status == "PUBLISHED":
                return graph_error("(#100) The media has already been published.", 100)
            if status == "EXPIRED":
                return graph_error("(#100) The media container has expired.", 100)
            if status in ("IN_PROGRESS", "ERROR") or container.in_progress_polls > 0:
                return graph_error("(#100) The media is not ready to be published.", 100)
            media_id = str(next(self._ids))
            self.media[media_id] = Media(
                media_id,
                found.user_id,
                container.text,
                container.link,
                self.clock.now(),
                secrets.token_urlsafe(8),
            )
            container.status = "PUBLISHED"
            container.media_id = media_id
            if self.fail_after_publish > 0:
                self.fail_after_publish -= 1
                return graph_error(
                    "An unexpected error has occurred. Please retry your request later.",
                    2,
                    status=500,
                    is_transient=True,
                )
            return Resp(200, {"id": media_id})

        @route("GET", f"/{v}/{{media_id}}/insights")
        def media_insights(req: Req) -> Resp:
            _token, found, error = self._token(req)
            if error is not None or found is None:
                return error or Resp(500)
            media = self.media.get(req.params["media_id"])
            if media is None or media.user_id != found.user_id:
                return self._unsupported(req.params["media_id"])
            data = []
            for metric in (request_params(req).get("metric") or "").split(","):
                if metric not in ("views", "likes", "replies", "reposts", "quotes", "shares"):
                    return graph_error(f"(#100) metric[0] must be one of ... ({metric})", 100)
                value = getattr(media, metric, 0)
                data.append(
                    {
                        "name": metric,
                        "period": "lifetime",
                        "values": [{"value": value}],
                        "title": metric.capitalize(),
                        "description": f"The number of {metric} on your post.",
                        "id": f"{media.media_id}/insights/{metric}/lifetime",
                    }
                )
            return Resp(200, {"data": data})

        @route("GET", f"/{v}/{{user_id}}/threads_insights")
        def user_insights(req: Req) -> Resp:
            error = self._check_user(req, req.params["user_id"])
            if error is not None:
                return error
            _t, found, _e = self._token(req)
            assert found is not None
            data = []
            for metric in (request_params(req).get("metric") or "").split(","):
                if metric != "followers_count":
                    return graph_error(f"(#100) metric[0] must be one of ... ({metric})", 100)
                data.append(
                    {
                        "name": "followers_count",
                        "period": "day",
                        "title": "followers_count",
                        "description": "This is the total number of followers on Threads.",
                        "total_value": {"value": self.followers.get(found.user_id, 0)},
                        "id": f"{found.user_id}/insights/followers_count/day",
                    }
                )
            return Resp(200, {"data": data})

        @route("GET", f"/{v}/{{object_id}}")
        def read_object(req: Req) -> Resp:
            _token, found, error = self._token(req)
            if error is not None or found is None:
                return error or Resp(500)
            object_id = req.params["object_id"]
            fields = split_fields(request_params(req).get("fields") or "id")
            container = self.containers.get(object_id)
            if container is not None and container.user_id == found.user_id:
                status = self._container_status(container)
                if container.in_progress_polls > 0:
                    container.in_progress_polls -= 1
                    status = "IN_PROGRESS"
                full: dict[str, Any] = {"id": object_id, "status": status}
                if status == "ERROR":
                    full["error_message"] = container.error_message or "UNKNOWN"
                return Resp(200, {k: full[k] for k in ["id", *fields] if k in full})
            media = self.media.get(object_id)
            if media is not None and media.user_id == found.user_id:
                return Resp(200, self._media_view(media, fields))
            return self._unsupported(object_id)
