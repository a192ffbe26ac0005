"""A local fake of LinkedIn's OAuth 2.0 / OpenID Connect server and of its Posts API, for
the LinkedIn connector's tests.

It follows these documentation pages (read through the docs search, 2026):

- Authorization Code Flow (3-legged OAuth) and Sign In with LinkedIn using OpenID Connect,
  learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow and
  .../consumer/integrations/self-serve/sign-in-with-linkedin-v2:
  `GET /oauth/v2/authorization` (response_type=code, client_id, redirect_uri, state,
  scope), `POST /oauth/v2/accessToken` (form: grant_type=authorization_code, code,
  redirect_uri, client_id, client_secret) -> `access_token`, `expires_in` (60 days),
  `scope` (comma separated), `id_token`; programmatic refresh tokens only for approved
  partners (`refresh_token`, `refresh_token_expires_in`, 365 days, not renewed by a
  refresh); `GET /v2/userinfo` (sub, name, given_name, family_name, picture, locale,
  email, email_verified).
- Posts API, learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api:
  every call needs `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`;
  `POST /rest/posts` answers 201 with the post URN in the `x-restli-id` header; an article
  post is `content.article` {source, title, description}; `GET /rest/posts?q=author&
  author={encoded URN}&count=..&sortBy=..` lists an author's posts. Reading a member's posts
  needs the restricted `r_member_social` permission, which ordinary apps do not hold
  (`FakeLinkedIn(member_posts_readable=False)` answers 403 ACCESS_DENIED as LinkedIn does).
- little text format (.../shares/little-text-format): commentary is "little" text;
  `\\ | { } @ [ ] ( ) < > # * _ ~` are reserved and must be backslash-escaped to be plain
  text. LinkedIn silently cuts the text at the first unescaped reserved character that does
  not form an element (reported by the apoorvdarshan/crossposter v1.1.5 release notes and
  ComposioHQ/composio#2710); the fake does the same, so a test can see what was lost.
- Versioning (learn.microsoft.com/linkedin/marketing/versioning): a missing header answers
  `{"status": 400, "code": "VERSION_MISSING", "message": "A version must be present.
  Please specify a version by adding the LinkedIn-Version header."}`, an inactive one 426
  `{"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 20190101 is
  not active"}` (bodies as LinkedIn sends them, quoted in n8n-io/n8n#14737 and others).
- Error handling (learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling):
  401 for an invalid, expired or revoked token (`serviceErrorCode` 65600/65601/65602),
  403 ACCESS_DENIED, 429 "Resource level throttle limit for calls to this resource is
  reached." with no reset header, 422 for invalid content; a duplicate post is refused with
  422 `"Content is a duplicate of urn:li:share:..."` and `errorDetails.inputErrors[].code
  DUPLICATE_POST` (body quoted in Arisamiga/Linkedin-RSS#5).
- The missing `X-Restli-Protocol-Version` check is this fake's own strictness: LinkedIn
  would fall back to protocol 1.0, whose URN encoding differs; the fake answers 400.

Test helpers: `authorize` (skip the consent screen), `issue_tokens`, `expire_token`,
`revoke_token`, `storm(n)`, `lose_next_response(delay)`, `add_post`, `post(urn)`,
`render_little(text)`.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.peers.server import FakeApp, Req, Resp

AUTHORIZE_PATH = "/oauth/v2/authorization"
TOKEN_PATH = "/oauth/v2/accessToken"
REVOKE_PATH = "/oauth/v2/revoke"
ACCESS_TTL = 60 * 24 * 3600  # 60 days
REFRESH_TTL = 365 * 24 * 3600
KNOWN_SCOPES = {"openid", "profile", "email", "w_member_social", "r_member_social"}
ACTIVE_VERSIONS = {"202507", "202508", "202509", "202510", "202511", "202512", "202601"}
RESERVED = set("\\|{}@[]()<>#*_~")
MAX_COMMENTARY = 3000

_MENTION = re.compile(r"@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^\W_]+)\}")


def render_little(text: str) -> tuple[str, bool]:
    """What LinkedIn shows for a little-format commentary, and whether it was cut short."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 < n and text[i + 1] in RESERVED:
                out.append(text[i + 1])
                i += 2
                continue
            return "".join(out), True
        if char == "#":
            j = i + 1
            while j < n and text[j].isalnum():
                j += 1
            if j == i + 1:
                return "".join(out), True
            out.append(text[i:j])
            i = j
            continue
        if char == "@":
            match = _MENTION.match(text, i)
            if not match:
                return "".join(out), True
            out.append(match.group(1))
            i = match.end()
            continue
        if char == "{":
            match = _HASHTAG_TEMPLATE.match(text, i)
            if not match:
                return "".join(out), True
            out.append("#" + match.group(1))
            i = match.end()
            continue
        if char in RESERVED:
            return "".join(out), True
        out.append(char)
        i += 1
    return "".join(out), False


def _error(status: int, message: str, code: str = "", service_code: int | None = None) -> Resp:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return Resp(status, body)


def _unprocessable(message: str, field_path: str, code: str) -> Resp:
    return Resp(
        422,
        {
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": message,
            "errorDetails": {
                "inputErrors": [
                    {
                        "description": message,
                        "input": {"inputPath": {"fieldPath": field_path}},
                        "code": code,
                    }
                ]
            },
            "status": 422,
        },
    )


def _oauth_error(description: str, error: str = "invalid_request", status: int = 400) -> Resp:
    return Resp(status, {"error": error, "error_description": description})


@dataclass
class Member:
    sub: str
    name: str
    given_name: str
    family_name: str
    email: str
    picture: str = "https://media.licdn.com/dms/image/fake/profile-displayphoto.jpg"

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"


@dataclass
class Token:
    sub: str
    scopes: set[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Post:
    urn: str
    author: str
    commentary: str  # as sent (little format)
    rendered: str  # as LinkedIn shows it
    truncated: bool
    body: dict[str, Any]
    created_at: int = field(default_factory=lambda: int(time.time() * 1000))


class FakeLinkedIn:
    def __init__(
        self,
        *,
        client_id: str = "li-client-id",
        client_secret: str = "li-client-secret",
        redirect_uris: tuple[str, ...] = ("https://portevoix.test/connect/linkedin/callback",),
        refresh_tokens: bool = False,
        member_posts_readable: bool = True,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = set(redirect_uris)
        # Programmatic refresh tokens: only for apps LinkedIn approved.
        self.refresh_enabled = refresh_tokens
        # r_member_social (restricted): may the app read a member's posts?
        self.member_posts_readable = member_posts_readable
        self.app = FakeApp("linkedin")
        self.lock = threading.RLock()
        self.members: dict[str, Member] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh: dict[str, tuple[str, set[str], float]] = {}
        self.posts: list[Post] = []
        self._ids = itertools.count(7_300_000_000_000_000_001)
        self._storm_left = 0
        self._lose_delay = 0.0
        # Set once a lost answer was finally written (tests wait for it, so that the
        # server's broken-pipe report lands inside the test that caused it).
        self.late_answer_sent = threading.Event()
        self.member = self.add_member("yrZCpj2Z12", "Anna Ambassador", "anna@acme.test")
        self._routes()
        self.app.before = self._before

    # ------------------------------------------------------------------ test helpers

    def add_member(self, sub: str, name: str, email: str) -> Member:
        given, _, family = name.partition(" ")
        member = Member(sub, name, given, family, email)
        with self.lock:
            self.members[sub] = member
        return member

    def authorize(self, *, redirect_uri: str, scope: str, member: Member | None = None) -> str:
        code = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[code] = {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scopes": set(scope.split()),
                "sub": (member or self.member).sub,
            }
        return code

    def issue_tokens(
        self, member: Member | None = None, scopes: set[str] | None = None
    ) -> dict[str, Any]:
        scopes = scopes or {"openid", "profile", "email", "w_member_social"}
        return self._issue((member or self.member).sub, scopes)

    def expire_token(self, token: str) -> None:
        with self.lock:
            self.tokens[token].expires_at = time.time() - 1

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self.tokens[token].revoked = True

    def storm(self, n: int) -> None:
        with self.lock:
            self._storm_left = n

    def lose_next_response(self, delay: float = 2.0) -> None:
        with self.lock:
            self._lose_delay = delay
            self.late_answer_sent.clear()

    def wait_late_answer(self, timeout: float = 5.0) -> None:
        """Wait until the lost answer went out (to a client that left long ago)."""
        assert self.late_answer_sent.wait(timeout)
        time.sleep(0.1)

    def add_post(self, commentary: str, *, source: str = "", member: Member | None = None) -> Post:
        author = (member or self.member).urn
        body: dict[str, Any] = {"author": author, "commentary": commentary}
        if source:
            body["content"] = {"article": {"source": source, "title": source}}
        with self.lock:
            return self._store(author, commentary, body)

    def post(self, urn: str) -> Post | None:
        with self.lock:
            return next((p for p in self.posts if p.urn == urn), None)

    # ------------------------------------------------------------------ internals

    def _issue(
        self, sub: str, scopes: set[str], refresh: tuple[str, float] | None = None
    ) -> dict[str, Any]:
        access = "AQ" + secrets.token_urlsafe(40)
        body: dict[str, Any] = {
            "access_token": access,
            "expires_in": ACCESS_TTL,
            "scope": ",".join(sorted(scopes)),
            "token_type": "Bearer",
        }
        if "openid" in scopes:
            body["id_token"] = "eyJ." + secrets.token_urlsafe(16) + ".sig"
        with self.lock:
            self.tokens[access] = Token(sub, scopes, time.time() + ACCESS_TTL)
            if self.refresh_enabled:
                if refresh is None:
                    refresh = ("AQX" + secrets.token_urlsafe(40), time.time() + REFRESH_TTL)
                token, expires = refresh
                self.refresh[token] = (sub, scopes, expires)
                body["refresh_token"] = token
                body["refresh_token_expires_in"] = int(expires - time.time())
        return body

    def _store(self, author: str, commentary: str, body: dict[str, Any]) -> Post:
        rendered, truncated = render_little(commentary)
        post = Post(
            f"urn:li:share:{next(self._ids)}", author, commentary, rendered, truncated, body
        )
        self.posts.append(post)
        return post

    def _before(self, req: Req) -> Resp | None:
        if req.path.startswith("/oauth/"):
            return None
        with self.lock:
            if self._storm_left > 0:
                self._storm_left -= 1
                return _error(
                    429,
                    "Resource level throttle limit for calls to this resource is reached.",
                    "TOO_MANY_REQUESTS",
                )
        return None

    def _member_for(self, req: Req) -> tuple[Member | None, Token | None, Resp | None]:
        token = req.bearer()
        if not token:
            return None, None, _error(401, "Empty oauth2 access token", "EMPTY_ACCESS_TOKEN", 65604)
        with self.lock:
            record = self.tokens.get(token)
            if record is None:
                return (
                    None,
                    None,
                    _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600),
                )
            if record.revoked:
                return (
                    None,
                    None,
                    _error(
                        401,
                        "The token used in the request has been revoked by the user",
                        "REVOKED_ACCESS_TOKEN",
                        65601,
                    ),
                )
            if record.expires_at <= time.time():
                return (
                    None,
                    None,
                    _error(
                        401,
                        "The token used in the request has expired",
                        "EXPIRED_ACCESS_TOKEN",
                        65602,
                    ),
                )
            return self.members[record.sub], record, None

    @staticmethod
    def _versioned(req: Req) -> Resp | None:
        version = req.headers.get("linkedin-version")
        if not version:
            return _error(
                400,
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if version not in ACTIVE_VERSIONS:
            shown = version + "01" if len(version) == 6 else version
            return _error(426, f"Requested version {shown} is not active", "NONEXISTENT_VERSION")
        if req.headers.get("x-restli-protocol-version") != "2.0.0":
            return _error(
                400,
                "This fake speaks Rest.li protocol 2.0.0 only: send "
                "X-Restli-Protocol-Version: 2.0.0.",
                "ILLEGAL_ARGUMENT",
            )
        return None

    @staticmethod
    def _access_denied(what: str) -> Resp:
        return _error(403, f"Not enough permissions to access: {what}", "ACCESS_DENIED", 100)

    def _validate(self, body: Any, member: Member) -> Resp | None:
        if not isinstance(body, dict):
            return _unprocessable("Request body is not a JSON object", "", "INVALID_VALUE")
        required = ("author", "visibility", "distribution", "lifecycleState")
        for name in required:
            if name not in body:
                return _unprocessable(f"Field /{name} is required", name, "MISSING_FIELD")
        if body["author"] != member.urn:
            return self._access_denied("partnerApiPostsExternal.CREATE.20251001")
        commentary = body.get("commentary", "")
        if not isinstance(commentary, str):
            return _unprocessable("commentary must be a string", "commentary", "INVALID_VALUE")
        if len(commentary) > MAX_COMMENTARY:
            return _unprocessable(
                f"/commentary :: length {len(commentary)} exceeds {MAX_COMMENTARY}",
                "commentary",
                "FIELD_LENGTH_TOO_LONG",
            )
        if body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
            return _unprocessable("Invalid visibility", "visibility", "INVALID_ENUM_VALUE")
        distribution = body["distribution"]
        if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in (
            "MAIN_FEED",
            "NONE",
        ):
            return _unprocessable(
                "distribution.feedDistribution is required",
                "distribution/feedDistribution",
                "MISSING_FIELD",
            )
        for key in ("targetEntities", "thirdPartyDistributionChannels"):
            if not isinstance(distribution.get(key, []), list):
                return _unprocessable(
                    f"{key} must be an array", f"distribution/{key}", "INVALID_VALUE"
                )
        if body["lifecycleState"] not in ("PUBLISHED", "DRAFT"):
            return _unprocessable("Invalid lifecycleState", "lifecycleState", "INVALID_ENUM_VALUE")
        if "isReshareDisabledByAuthor" in body and not isinstance(
            body["isReshareDisabledByAuthor"], bool
        ):
            return _unprocessable(
                "isReshareDisabledByAuthor must be a boolean",
                "isReshareDisabledByAuthor",
                "INVALID_VALUE",
            )
        content = body.get("content")
        if content is not None:
            article = content.get("article") if isinstance(content, dict) else None
            if not isinstance(article, dict):
                return _unprocessable("Unsupported content", "content", "INVALID_VALUE")
            source = article.get("source")
            if not isinstance(source, str) or not re.match(r"https?://", source):
                return _unprocessable(
                    "content.article.source must be a URL",
                    "content/article/source",
                    "INVALID_VALUE",
                )
            if not isinstance(article.get("title"), str) or not article["title"]:
                return _unprocessable(
                    "content.article.title is required", "content/article/title", "MISSING_FIELD"
                )
        if not commentary and content is None:
            return _unprocessable(
                "A post needs commentary or content", "commentary", "MISSING_FIELD"
            )
        return None

    def _render(self, post: Post) -> dict[str, Any]:
        element = {
            "id": post.urn,
            "author": post.author,
            "commentary": post.commentary,
            "visibility": post.body.get("visibility", "PUBLIC"),
            "distribution": post.body.get(
                "distribution",
                {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
            ),
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": post.body.get("isReshareDisabledByAuthor", False),
            "createdAt": post.created_at,
            "lastModifiedAt": post.created_at,
            "publishedAt": post.created_at,
            "lifecycleStateInfo": {"isEditedByAuthor": False},
        }
        if "content" in post.body:
            element["content"] = post.body["content"]
        return element

    # ------------------------------------------------------------------ routes

    def _routes(self) -> None:
        app = self.app

        @app.route("GET", AUTHORIZE_PATH)
        def authorize(req: Req) -> Resp:
            q = req.query
            if q.get("client_id") != self.client_id:
                return Resp(400, "invalid client_id")
            redirect_uri = q.get("redirect_uri", "")
            if redirect_uri not in self.redirect_uris:
                return Resp(400, "The redirect_uri does not match the registered value")
            if q.get("response_type") != "code":
                return Resp(400, "invalid response_type")
            scopes = set((q.get("scope") or "").split())
            if not scopes or not scopes <= KNOWN_SCOPES:
                location = (
                    redirect_uri
                    + "?"
                    + urlencode(
                        {
                            "error": "invalid_scope_error",
                            "error_description": "The requested permission scope is not valid",
                            "state": q.get("state", ""),
                        }
                    )
                )
                return Resp(302, "", {"Location": location})
            code = self.authorize(redirect_uri=redirect_uri, scope=q["scope"])
            location = redirect_uri + "?" + urlencode({"code": code, "state": q.get("state", "")})
            return Resp(302, "", {"Location": location})

        @app.route("POST", TOKEN_PATH)
        def token(req: Req) -> Resp:
            form = req.form()
            if (
                form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return _oauth_error("Client authentication failed", "invalid_client", 401)
            grant = form.get("grant_type")
            if grant == "authorization_code":
                with self.lock:
                    data = self.codes.pop(form.get("code", ""), None)
                if data is None or data["redirect_uri"] != form.get("redirect_uri"):
                    return _oauth_error(
                        "Unable to retrieve access token: appid/redirect uri/code verifier does "
                        "not match authorization code. Or authorization code expired. Or "
                        "external member binding exists"
                    )
                return Resp(200, self._issue(data["sub"], data["scopes"]))
            if grant == "refresh_token":
                if not self.refresh_enabled:
                    return _oauth_error(
                        "Refresh tokens are not enabled for this application", "unauthorized_client"
                    )
                with self.lock:
                    entry = self.refresh.get(form.get("refresh_token", ""))
                if entry is None or entry[2] <= time.time():
                    return _oauth_error(
                        "The provided authorization grant or refresh token is invalid, expired "
                        "or revoked."
                    )
                sub, scopes, expires = entry
                # LinkedIn keeps the same refresh token, with its original expiry.
                return Resp(200, self._issue(sub, scopes, refresh=(form["refresh_token"], expires)))
            return _oauth_error('A required parameter "grant_type" is missing')

        @app.route("POST", REVOKE_PATH)
        def revoke(req: Req) -> Resp:
            form = req.form()
            if (
                form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return _oauth_error("Client authentication failed", "invalid_client", 401)
            with self.lock:
                record = self.tokens.get(form.get("token", ""))
                if record is not None:
                    record.revoked = True
            return Resp(200, "")

        @app.route("GET", "/v2/userinfo")
        def userinfo(req: Req) -> Resp:
            member, token, refused = self._member_for(req)
            if refused:
                return refused
            assert member is not None and token is not None
            if "openid" not in token.scopes:
                return self._access_denied("userinfo.GET.NO_VERSION")
            body: dict[str, Any] = {"sub": member.sub}
            if "profile" in token.scopes:
                body.update(
                    name=member.name,
                    given_name=member.given_name,
                    family_name=member.family_name,
                    picture=member.picture,
                    locale={"country": "US", "language": "en"},
                )
            if "email" in token.scopes:
                body.update(email=member.email, email_verified=True)
            return Resp(200, body)

        @app.route("POST", "/rest/posts")
        def create(req: Req) -> Resp:
            member, token, refused = self._member_for(req)
            if refused:
                return refused
            assert member is not None and token is not None
            wrong_version = self._versioned(req)
            if wrong_version:
                return wrong_version
            if "w_member_social" not in token.scopes:
                return self._access_denied("partnerApiPostsExternal.CREATE.20251001")
            try:
                body = req.json()
            except ValueError:
                body = None
            invalid = self._validate(body, member)
            if invalid:
                return invalid
            commentary = body.get("commentary", "")
            with self.lock:
                earlier = next(
                    (
                        p
                        for p in self.posts
                        if p.author == member.urn and p.commentary == commentary
                    ),
                    None,
                )
                if earlier is not None:
                    message = (
                        "com.linkedin.content.common.exception.BadRequestResponseException: "
                        f"Content is a duplicate of {earlier.urn}"
                    )
                    resp = _unprocessable(message, "", "DUPLICATE_POST")
                    resp.body["errorDetails"]["inputErrors"][0] = {
                        "description": "Duplicate post is detected",
                        "input": {},
                        "code": "DUPLICATE_POST",
                    }
                    return resp
                post = self._store(member.urn, commentary, body)
                delay, self._lose_delay = self._lose_delay, 0.0
            if delay:
                time.sleep(delay)
                self.late_answer_sent.set()
            return Resp(201, "", {"x-restli-id": post.urn})

        @app.route("GET", "/rest/posts")
        def find(req: Req) -> Resp:
            member, token, refused = self._member_for(req)
            if refused:
                return refused
            assert member is not None and token is not None
            wrong_version = self._versioned(req)
            if wrong_version:
                return wrong_version
            if req.query.get("q") != "author":
                return _error(400, "Invalid finder", "ILLEGAL_ARGUMENT")
            author = req.query.get("author", "")
            if not re.fullmatch(r"urn:li:(person|organization):[A-Za-z0-9_-]+", author):
                return _error(400, f"Invalid author URN: {author}", "ILLEGAL_ARGUMENT")
            if author.startswith("urn:li:person:") and not self.member_posts_readable:
                return self._access_denied("partnerApiPostsExternal.FINDER-author.20251001")
            raw_count = req.query.get("count", "10")
            if not raw_count.isdigit() or not 1 <= int(raw_count) <= 100:
                return _error(400, "count must be between 1 and 100", "ILLEGAL_ARGUMENT")
            count, start = int(raw_count), int(req.query.get("start", "0"))
            if req.query.get("sortBy", "LAST_MODIFIED") not in ("LAST_MODIFIED", "CREATED"):
                return _error(400, "Invalid sortBy", "ILLEGAL_ARGUMENT")
            with self.lock:
                mine = [p for p in reversed(self.posts) if p.author == author]
            page = mine[start : start + count]
            return Resp(
                200,
                {
                    "paging": {"start": start, "count": count, "links": [], "total": len(mine)},
                    "elements": [self._render(p) for p in page],
                },
            )
