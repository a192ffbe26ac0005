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

register = template.Library()

CSRF_PLACEHOLDER = "portevoix-shell-csrf-placeholder"


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
        request = context.get("request")
        if CSRF_PLACEHOLDER in html:
            token = str(context.get("csrf_token") or "")
            if (not token or token == "NOTPROVIDED") and request is not None:  # noqa: S105
                token = get_token(request)
            html = html.replace(CSRF_PLACEHOLDER, escape(token))
        for name, value in self.substitutions.items():
            resolved = value.resolve(context)
            html = html.replace(_placeholder(name), escape("" if resolved is None else resolved))
        return mark_safe(html)  # noqa: S308 - our templates, every value escaped


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
