"""The order of the apps' addresses in config/urls.py only decides how fast a page's address
is found (the most opened first), never which page answers: each page's address, with
sample values in its parts, resolves to that page and no other."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, resolve

SAMPLES = {"int": "7", "str": "x7", "slug": "x-7", "uuid": str(uuid.UUID(int=7)), "path": "a/b"}
# The API (one address, a view per method), the admin and Django's i18n views are not pages.
NOT_PAGES = ("api/", "admin/", "i18n/", "^")


def _routes(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _sample(route: str) -> str:
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda found: SAMPLES[str(found.group(1) or "str")], route
    )


def test_every_page_address_resolves_to_its_own_page():
    routes = [
        (r, p) for r, p in _routes(get_resolver().url_patterns) if not r.startswith(NOT_PAGES)
    ]
    assert len(routes) > 250
    shadowed = []
    for route, pattern in routes:
        found = resolve(_sample(route))
        if found.route != route or found.func is not pattern.callback:
            shadowed.append((route, found.route))
    assert shadowed == []


def test_the_feed_is_found_among_the_first_patterns():
    top = get_resolver().url_patterns
    modules = [getattr(p, "urlconf_name", None) for p in top if isinstance(p, URLResolver)]
    names = [getattr(m, "__name__", m) for m in modules]
    assert names.index("portevoix.content.urls") < names.index("portevoix.accounts.urls")
    assert resolve("/feed/").url_name == "feed"
