"""A page's body kept in Django's cache (docs/decisions/0036-page-body-cache.md).

The social media team's pages (the library, the approvals queue, the calendar, analytics)
read thousands of rows and render hundreds of table cells; the same page is asked again and
again while nothing it shows has changed. A view that opts in gives `render_page` a key
naming everything the body shows (the caller builds it: `accounts.frame.body_key` for a
member's page) and a function computing the template's context:

- a hit (a body of the current time slot, or of the one before while another request
  rebuilds it) renders the template with the cached body and never calls the function (no
  query of the body's);
- a miss computes the context, renders the template, and the template's
  `{% page_body %}...{% endpage_body %}` (templatetags/shell_tags.py) stores what it
  rendered under the key.

The frame around the body (the top bar, messages, banners) is rendered around the body.
What differs from one viewer to the next inside a body is never stored: the CSRF token is
rendered as a placeholder and replaced (escaped) on every request; whatever else differs is
part of the key. A key of None caches nothing.

The whole page, frame included, is kept too, per viewer: `settings.PAGE_VIEWER_KEY` names a
function of the request answering what the frame shows of the viewer (accounts' answer:
the membership, its frame versions and the user's name), or None (no whole page kept). A
request with messages waiting, or a view passing `always` (the viewer's own context)
without naming it in `always_key`, never uses it. A whole page is served only in the time
slot its body was built in: after it, the
body's own rules above (one rebuilder, the others served the page of the slot before with a
fresh frame).

`core` imports no app: the key is a string built by the caller.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.module_loading import import_string

from . import clock

# The template context's names for the cached body (a hit) and the key to store it under
# (a miss); read by the `page_body` tag.
BODY = "page_cache_body"
KEY = "page_cache_key"
# A context may name the moment its body stops holding whatever the slot (a timestamp: an
# item of the feed goes live or expires then); the body is never served from then on.
UNTIL = "page_cache_until"
# What a kept body or page holds in place of the viewer's CSRF token.
CSRF_PLACEHOLDER = "portevoix-shell-csrf-placeholder"


def _cache() -> BaseCache:
    """The `pages` cache when the settings have one (a bounded local room on `make run`),
    else the default one (Redis, with its own memory limit)."""
    return caches["pages" if "pages" in settings.CACHES else "default"]


def seconds() -> int:
    """The length of a body's time slot: `PAGE_CACHE_SECONDS` (30; 0 turns the cache off).
    What no version moves (time passing, figures, names) is at most two slots late."""
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 30))


def make_key(name: str, request: HttpRequest, parts: Iterable[Any]) -> str | None:
    """The key of `name`'s body for this request and `parts` (versions, the viewer's roles
    or membership...), with the language, the time zone and the full path (query string
    included). None when the cache is off."""
    if seconds() <= 0:
        return None
    material = (
        list(parts),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request.get_full_path(),
    )
    digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
    return f"page:{name}:{digest}"


def _slot(key: str, span: int) -> int:
    """The time slot of `span` seconds the clock is in for `key`: each key's slots start
    at an offset of its own (from its hash), so the bodies of many pages and roles are not
    all rebuilt at the same instant."""
    offset = int(hashlib.blake2b(key.encode(), digest_size=4).hexdigest(), 16) % span
    return (int(clock.now().timestamp()) + offset) // span


def render_page(
    request: HttpRequest,
    template_name: str,
    *,
    key: str | None,
    context: Callable[[], dict[str, Any]],
    always: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    always_key: Any = None,
) -> HttpResponse:
    """`template_name` rendered with the body kept under `key` when it is of the current
    time slot, else with `context()` (the body then stored under `key`). A body of the
    slot just before is still served while another request rebuilds it (one rebuilder per
    key and process at a time, `LOCK_SECONDS` at most), so that a page many people read is
    not built by all of them at once; so what no version moves is at most two slots late.
    `always`: the context of what the template shows outside its `{% page_body %}` (the
    viewer's own), or a function answering it, called only when the page is rendered (a
    whole page served as kept reads nothing of it); a view giving it never has its whole
    page kept, unless it names what `always` shows in `always_key` (a value that repr()s it
    fully, or names the version that moves with it: it becomes part of the whole page's
    key). Else the whole page of this viewer
    (`PAGE_VIEWER_KEY`) built in the current slot is served as it is, its CSRF token put
    in."""
    if key is None:
        return render(request, template_name, {**context(), **_own(always)})
    span = seconds()
    slot = _slot(key, span)
    cache = _cache()
    whole = (
        None if always is not None and always_key is None else _whole_key(request, key, always_key)
    )
    if whole is not None:
        kept = cache.get(whole)
        if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == slot and _holds(kept[2]):
            return _with_token(request, HttpResponse(kept[1]))
    own = _own(always)
    kept = cache.get(key)
    if isinstance(kept, tuple) and len(kept) == 3:
        built, html, until = kept
        if _holds(until) and (
            built == slot or (built == slot - 1 and not cache.add(f"{key}:lock", 1, LOCK_SECONDS))
        ):
            response = render(request, template_name, {**own, BODY: html, **_token(whole)})
            return _keep_whole(request, whole, response, built, until)
    fresh = context()
    until = fresh.get(UNTIL)
    response = render(
        request, template_name, {**fresh, **own, KEY: (key, slot, until), **_token(whole)}
    )
    return _keep_whole(request, whole, response, slot, until)


def _own(always: dict[str, Any] | Callable[[], dict[str, Any]] | None) -> dict[str, Any]:
    return always() if callable(always) else (always or {})


def _holds(until: float | None) -> bool:
    return until is None or clock.now().timestamp() < until


def _token(whole: str | None) -> dict[str, str]:
    """The context that renders a page to keep whole: its CSRF token as the placeholder."""
    return {} if whole is None else {"csrf_token": CSRF_PLACEHOLDER}


@functools.cache
def _viewer_function(path: str) -> Callable[[HttpRequest], Any]:
    function: Callable[[HttpRequest], Any] = import_string(path)
    return function


def _whole_key(request: HttpRequest, key: str, own: Any = None) -> str | None:
    """The key of this viewer's whole page of `key`'s body, or None: no viewer function,
    none answered, or messages waiting for the viewer (the frame shows them once)."""
    path = getattr(settings, "PAGE_VIEWER_KEY", "")
    viewer = _viewer_function(path)(request) if path else None
    if viewer is None or _has_messages(request):
        return None
    digest = hashlib.blake2b(repr((viewer, own)).encode(), digest_size=16).hexdigest()
    return f"{key}:viewer:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _keep_whole(
    request: HttpRequest,
    whole: str | None,
    response: HttpResponse,
    built: int,
    until: float | None,
) -> HttpResponse:
    """Keep the page just rendered (with the placeholder) under `whole` with its body's slot,
    unless a piece of it said `not_kept`; answer it with the viewer's token."""
    if whole is None:
        return response
    if not getattr(request, _NOT_KEPT, False):
        _cache().set(whole, (built, response.content.decode(), until), 2 * seconds())
    return _with_token(request, response)


def _with_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response` with the request's CSRF token (escaped) in place of the placeholder."""
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        token = escape(get_token(request)).encode()
        response.content = response.content.replace(placeholder, token)
    return response


# How long a rebuild may hold its key's lock (a crashed rebuild lets go after this).
LOCK_SECONDS = 10


# Set on a request whose body shows what neither its key nor any version follows.
_NOT_KEPT = "_page_cache_not_kept"


def not_kept(request: HttpRequest | None) -> None:
    """The body being rendered for `request` shows something no key or version follows (a
    member's own posts, whose states the publishing worker moves, on their feed cards): it
    is not kept, so each view builds it. Called by the piece of the body that knows."""
    if request is not None:
        setattr(request, _NOT_KEPT, True)


def store(key: Any, html: str, request: HttpRequest | None = None) -> None:
    """Keep `html` under the `(key, slot, until)` that `render_page` gave, for two slots
    (the slot after it may serve it while rebuilding), unless a piece of it said
    `not_kept`; and let other rebuilders go."""
    name, slot, until = key
    cache = _cache()
    if not getattr(request, _NOT_KEPT, False):
        cache.set(name, (slot, html, until), 2 * seconds())
    cache.delete(f"{name}:lock")
