"""A page's body kept in Django's cache (docs/decisions/0036-page-body-cache.md).

The social media team's pages (the library, the approvals queue, the calendar, analytics)
read thousands of rows and render hundreds of table cells; the same page is asked again and
again while nothing it shows has changed. A view that opts in gives `render_page` a key
naming everything the body shows (the caller builds it: `accounts.frame.body_key` for a
member's page) and a function computing the template's context:

- a hit renders the template with the cached body and never calls the function (no query
  of the body's);
- a miss computes the context, renders the template, and the template's
  `{% page_body %}...{% endpage_body %}` (templatetags/shell_tags.py) stores what it
  rendered under the key.

The frame around the body (the top bar, messages, banners) is rendered on every request as
before. What differs from one viewer to the next inside a body is never stored: the CSRF
token is rendered as a placeholder and replaced (escaped) on every request; whatever else
differs is part of the key. A key of None caches nothing.

`core` imports no app: the key is a string built by the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from . import clock

# The template context's names for the cached body (a hit) and the key to store it under
# (a miss); read by the `page_body` tag.
BODY = "page_cache_body"
KEY = "page_cache_key"


def seconds() -> int:
    """How long a body is kept, and the longest it can be late for what no version moves
    (time passing, figures, names): `PAGE_CACHE_SECONDS` (30; 0 turns the cache off)."""
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 30))


def make_key(name: str, request: HttpRequest, parts: Iterable[Any]) -> str | None:
    """The key of `name`'s body for this request and `parts` (versions, the viewer's roles
    or membership...): with the language, the time zone, the full path (query string
    included) and the current time slot of `seconds()`, so an entry is never served past
    its slot even when the clock jumps. Each key's slots start at its own offset, so the
    bodies of many pages and viewers do not all expire at the same instant. None when the
    cache is off."""
    span = seconds()
    if span <= 0:
        return None
    material = (
        list(parts),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request.get_full_path(),
    )
    digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
    slot = (int(clock.now().timestamp()) + int(digest[:8], 16) % span) // span
    return f"page:{name}:{digest}:{slot}"


def render_page(
    request: HttpRequest,
    template_name: str,
    *,
    key: str | None,
    context: Callable[[], dict[str, Any]],
    always: dict[str, Any] | None = None,
) -> HttpResponse:
    """`template_name` rendered with the body cached under `key` when there is one, else
    with `context()` (and the body then stored under `key`). `always`: the context of what
    the template shows outside its `{% page_body %}` (the viewer's own), on every view."""
    if key is not None:
        html = cache.get(key)
        if isinstance(html, str):
            return render(request, template_name, {**(always or {}), BODY: html})
    return render(request, template_name, {**context(), **(always or {}), KEY: key})


def store(key: str, html: str) -> None:
    cache.set(key, html, seconds())
