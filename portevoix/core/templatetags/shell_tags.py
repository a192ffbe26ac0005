"""`{% shell_fragment "name" value1 value2 ... with who=user.display_name ... %}...
{% endshell_fragment %}`: a part of the app shell (the top bar and its menus, the tab bar)
rendered once per distinct input and kept in Django's cache
(docs/decisions/0010-page-frame-cache.md).

The key is a hash of everything the fragment shows: the values given (the navigation's
`fingerprint`...), the language, and which of the top bar's items (`topbar_items`) is the
current page. So it needs no invalidation: when anything shown changes, the key changes.
What differs from one viewer or request to the next is not in the key: the fragment is
rendered with placeholders, replaced (escaped) on every request: the CSRF token of its forms,
and each `name=value` after `with`, which the fragment shows as `{{ shell_<name> }}` (the
viewer's name, the organization's, the current path for the language switch). So members
with the same roles, counts and page share one entry.

`{% page_body %}...{% endpage_body %}` wraps a page's body kept by `core.page_cache`
(docs/decisions/0036-page-body-cache.md), with the same CSRF placeholder.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portevoix.core import page_cache

register = template.Library()

CSRF_PLACEHOLDER = page_cache.CSRF_PLACEHOLDER


def _seconds() -> int:
    return int(getattr(settings, "SHELL_CACHE_SECONDS", 300))


class ShellFragmentNode(template.Node):
    def __init__(
        self,
        name: str,
        nodelist: template.NodeList,
        values: list[Any],
        substitutions: dict[str, Any],
    ):
        self.name = name
        self.nodelist = nodelist
        self.values = values
        self.substitutions = substitutions

    def key(self, context: template.Context) -> str:
        request = context.get("request")
        path = getattr(request, "path", "")
        items = context.get("topbar_items") or ()
        parts = (
            [v.resolve(context) for v in self.values],
            translation.get_language(),
            [(item, item.url == path) for item in items],
        )
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        return f"shell:{self.name}:{digest}"

    def render(self, context: template.Context) -> SafeString:
        key = self.key(context)
        html: str | None = cache.get(key)
        if html is None:
            shown = {f"shell_{name}": _placeholder(name) for name in self.substitutions}
            with context.push(csrf_token=CSRF_PLACEHOLDER, **shown):
                html = self.nodelist.render(context)
            cache.set(key, html, _seconds())
        html = _with_token(html, context)
        for name, value in self.substitutions.items():
            resolved = value.resolve(context)
            html = html.replace(_placeholder(name), escape("" if resolved is None else resolved))
        return mark_safe(html)  # noqa: S308 - our templates, every value escaped


def _with_token(html: str, context: template.Context) -> str:
    """`html` with the request's CSRF token (escaped) in place of the placeholder."""
    if CSRF_PLACEHOLDER not in html:
        return html
    token = str(context.get("csrf_token") or "")
    request = context.get("request")
    if (not token or token == "NOTPROVIDED") and request is not None:  # noqa: S105
        token = get_token(request)
    return html.replace(CSRF_PLACEHOLDER, escape(token))


def _placeholder(name: str) -> str:
    return f"portevoix-shell-{name}-placeholder"


@register.tag
def shell_fragment(parser: template.base.Parser, token: template.base.Token) -> ShellFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("shell_fragment takes a name and the values shown")
    nodelist = parser.parse(("endshell_fragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    rest = bits[2:]
    values, substitutions = rest, {}
    if "with" in rest:
        at = rest.index("with")
        values = rest[:at]
        for bit in rest[at + 1 :]:
            key, sep, value = bit.partition("=")
            if not sep or not key.isidentifier():
                raise template.TemplateSyntaxError(f"shell_fragment: {bit!r} is not name=value")
            substitutions[key] = parser.compile_filter(value)
    return ShellFragmentNode(
        name, nodelist, [parser.compile_filter(b) for b in values], substitutions
    )


class PageBodyNode(template.Node):
    """`{% page_body %}...{% endpage_body %}`: a page's body from the cache
    (`core.page_cache.render_page` put it in the context), else rendered with a placeholder
    for the CSRF token and stored under the key the view gave. The token is put in on every
    request."""

    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        html = context.get(page_cache.BODY)
        if not isinstance(html, str):
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = str(self.nodelist.render(context))
            key = context.get(page_cache.KEY)
            if key:
                page_cache.store(key, html, context.get("request"))
        return mark_safe(_with_token(html, context))  # noqa: S308 - our templates, token escaped


@register.tag
def page_body(parser: template.base.Parser, token: template.base.Token) -> PageBodyNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("page_body takes no argument")
    nodelist = parser.parse(("endpage_body",))
    parser.delete_first_token()
    return PageBodyNode(nodelist)
