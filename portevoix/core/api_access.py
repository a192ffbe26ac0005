"""What an API token may do: its scopes and its rate limit.

See docs/decisions/0020-api-token-scopes.md.

A token is read-only or read-write, on every area of the API or on chosen ones. An area is
one router of `config.api`, mounted with `mount(api, router, area=...)`, which marks each
request with its area before authentication. `TokenAuth` (core.api_support) then calls
`check_token(request, grant)`: the one place where scopes and the rate limit are enforced.

A GET or HEAD needs read on the area, any other method needs write. The rate limit counts
the requests of each token in fixed windows of one minute in the project's cache (Redis when
REDIS_URL is set): at most `API_RATE_LIMIT_PER_MINUTE` per window. Browser (session)
requests are not counted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Router
from ninja.errors import HttpError

# The areas a token can be limited to: one per router of config.api. A router mounted
# without an area is reachable only with an all-areas token (and a test fails).
API_AREAS: tuple[tuple[str, Any], ...] = (
    ("people", gettext_lazy("People and my profile")),
    ("content", gettext_lazy("Content")),
    ("governance", gettext_lazy("Governance (charter, moderation, audit)")),
    ("sharing", gettext_lazy("Sharing")),
    ("training", gettext_lazy("Training and events")),
    ("analytics", gettext_lazy("Analytics")),
    ("publishing", gettext_lazy("Publishing")),
    ("recognition", gettext_lazy("Recognition")),
    ("ideas", gettext_lazy("Ideas")),
    ("webhooks", gettext_lazy("Webhooks")),
    ("notifications", gettext_lazy("My notifications")),
    ("rewards", gettext_lazy("Rewards")),
    ("surveys", gettext_lazy("Surveys")),
)
AREA_CODES = frozenset(code for code, _label in API_AREAS)
AREA_EXTENSION = "x-portevoix-area"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class TokenGrant:
    """What a token resolver returns: who the token acts as and what it may do."""

    token_id: int
    membership: Any
    can_write: bool
    areas: frozenset[str] | None  # None: every area


class ScopeRefused(HttpError):
    def __init__(self, message: str, scope: str) -> None:
        self.scope = scope
        super().__init__(403, message)


class RateLimited(HttpError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(429, _("Too many requests for this token: try again later."))


def now() -> float:
    """The time the rate limit reads (tests move it)."""
    return time.time()


def scope_name(area: str, write: bool) -> str:
    return f"{area}:{'write' if write else 'read'}"


def check_scope(request: HttpRequest, grant: TokenGrant) -> None:
    area = getattr(request, "api_area", None) or "unknown"
    write = request.method not in READ_METHODS
    scope = scope_name(area, write)
    if write and not grant.can_write:
        raise ScopeRefused(
            _("This token is read-only: the scope %(scope)s is missing.") % {"scope": scope},
            scope,
        )
    if grant.areas is not None and area not in grant.areas:
        raise ScopeRefused(
            _("This token does not cover this area: the scope %(scope)s is missing.")
            % {"scope": scope},
            scope,
        )


def count_request(request: HttpRequest, token_id: int) -> None:
    """Counts the request in the token's current window; refuses it past the limit."""
    limit = int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 600))
    moment = now()
    window = int(moment // WINDOW_SECONDS)
    key = f"api-rate:{token_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        used = 1
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - moment))
    request.api_rate = (limit, max(0, limit - used), retry_after)  # type: ignore[attr-defined]
    if used > limit:
        raise RateLimited(retry_after)


def check_token(request: HttpRequest, grant: TokenGrant) -> None:
    """The rate limit, then the scopes (a refused request still counts)."""
    count_request(request, grant.token_id)
    check_scope(request, grant)


def add_rate_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    rate = getattr(request, "api_rate", None)
    if rate is not None:
        limit, remaining, retry_after = rate
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(remaining)
        if response.status_code == 429:
            response["Retry-After"] = str(retry_after)
    return response


def _area_marker(area: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(run: Callable[..., Any]) -> Callable[..., Any]:
        def marked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            request.api_area = area  # type: ignore[attr-defined]
            return add_rate_headers(request, run(request, *args, **kwargs))

        return marked

    return decorate


def mount(api: NinjaAPI, router: Router, *, area: str) -> None:
    """Mount `router` at the root of `api` as the area `area`: its requests carry the area
    (read by `check_scope`) and its operations show it in the OpenAPI schema."""
    if area not in AREA_CODES:
        raise ValueError(f"unknown API area {area!r}")
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.openapi_extra = {**(operation.openapi_extra or {}), AREA_EXTENSION: area}
    # ninja 1.7 applies a "view" decorator to `Operation.run` (before authentication) and
    # an "operation" one to the endpoint function; tests/api/test_token_scopes.py checks it.
    router.add_decorator(_area_marker(area), mode="view")
    api.add_router("", router)
