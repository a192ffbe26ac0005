"""Template helpers of the feed page: `{% feed_cards page order as cards %}` renders the
page's cards up to their share bar, each from the cache when it holds (see
content/feed_cache.py and docs/decisions/0004-feed-cache.md)."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from ..feed_cache import FeedPage, LazyItem

register = template.Library()

# The card shows this much of the body; a longer body opens with "more".
EXCERPT_CHARS = 120
# Where the page's CSRF token goes in a cached card (the share bar's forms).
CSRF_PLACEHOLDER = "portevoix-feed-card-csrf-placeholder"


@dataclass
class FeedCard:
    """What a card shows besides its item's fields."""

    item: Any
    is_new: bool
    excerpt: str
    long_body: bool
    image_url: str
    image_alt: str


def feed_card(item: Any, is_new: bool) -> FeedCard:
    text = " ".join(html.unescape(strip_tags(item.body_html)).split())
    excerpt = Truncator(text).chars(EXCERPT_CHARS)
    image = item.first_image or ""
    return FeedCard(
        item=item,
        is_new=is_new,
        excerpt=excerpt,
        long_body=excerpt != text,
        image_url=default_storage.url(image) if image else "",
        image_alt=item.first_image_alt or "",
    )


@dataclass
class RenderedCard:
    item: LazyItem
    html: SafeString


def _key(page: FeedPage, pk: int, is_new: bool, language: str, order: str) -> str:
    return f"feed:card:{page.organization_id}:{page.version}:{pk}:{int(is_new)}:{language}:{order}"


@register.simple_tag(takes_context=True)
def feed_cards(context: template.Context, page: FeedPage, order: Any = None) -> list[RenderedCard]:
    """The page's cards up to their share bar (content/_feed_card.html), in order. A card
    depends only on its item, the organization's feed version, whether it is new to the
    viewer, the language and the viewer's network order: it is rendered once for those and
    kept `FEED_CACHE_SECONDS`; the page's CSRF token is put in place of a placeholder."""
    language = translation.get_language() or ""
    codes = ",".join(order or ())
    order_key = hashlib.blake2b(codes.encode(), digest_size=8).hexdigest()
    keys = [
        _key(page, item.pk, is_new, language, order_key)
        for item, is_new in zip(page.items, page.new_flags, strict=True)
    ]
    found: dict[str, str] = cache.get_many(keys) if keys else {}
    missing: dict[str, str] = {}
    card_template = get_template("content/_feed_card.html")
    for key, item, is_new in zip(keys, page.items, page.new_flags, strict=True):
        if key not in found and page.rows is not None and not page.rows.has(item.pk):
            continue  # deleted since the ranking was read: no card
        if key not in found:
            card = feed_card(item, is_new)
            rendered = card_template.render(
                {"card": card, "order": order, "csrf_token": CSRF_PLACEHOLDER}
            )
            found[key] = missing[key] = rendered
    if missing:
        cache.set_many(missing, int(getattr(settings, "FEED_CACHE_SECONDS", 120)))
    token = str(context.get("csrf_token") or "")
    request = context.get("request")
    if not token and request is not None:
        token = get_token(request)
    token = escape(token)
    return [
        RenderedCard(item=item, html=mark_safe(found[key].replace(CSRF_PLACEHOLDER, token)))  # noqa: S308 - our template, token escaped
        for key, item in zip(keys, page.items, strict=True)
        if key in found
    ]


@register.simple_tag(takes_context=True)
def feed_filters(context: template.Context, form: Any, filters: Any, page: FeedPage) -> str:
    """The feed's filters form (content/_feed_filters.html), rendered once per organization,
    feed version (the topics and campaigns offered), language, path and values asked."""
    request = context.get("request")
    path = request.path if request is not None else ""
    asked = [(name, form.data.get(name)) for name in form.fields]
    digest = hashlib.blake2b(repr((path, asked)).encode(), digest_size=16).hexdigest()
    language = translation.get_language() or ""
    key = f"feed:filters:{page.organization_id}:{page.version}:{language}:{digest}"
    rendered: str | None = cache.get(key)
    if rendered is None:
        rendered = get_template("content/_feed_filters.html").render(
            {"form": form, "filters": filters, "path": path}
        )
        cache.set(key, rendered, int(getattr(settings, "FEED_CACHE_SECONDS", 120)))
    return mark_safe(rendered)  # noqa: S308 - rendered by our template (values escaped there)
