"""Template helpers of the sharing app.

`{% share_buttons item order %}` is the surface other apps' templates use to offer sharing
(the content feed): they never include sharing's private templates themselves. It runs no
query; `{% network_order as order %}` (one query per request) gives the member's order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portevoix.core.networks import NETWORK_CHOICES, Network
from portevoix.core.web import current_membership
from portevoix.sharing import intents, selectors

register = template.Library()

# How many networks the card's share row shows; the others are one tap away.
SHARE_ROW_SIZE = 3
_ORDER_ATTRIBUTE = "_portevoix_network_order"


@dataclass
class NetworkOffer:
    code: str
    label: str
    copies: list[Any] = field(default_factory=list)  # the copies not shown first
    in_row: bool = False
    copy_first: bool = False  # its share page takes no text: the text is copied first


@register.simple_tag
def share_networks() -> list[tuple[str, str]]:
    """Every network, as (code, label), in the usual order."""
    return list(NETWORK_CHOICES)


# The order counts the member's shares (a few ms for the most active of a million shares):
# it is kept this long per member in the cache. It only orders buttons, so a share made
# meanwhile moves them at most this late.
NETWORK_ORDER_CACHE_SECONDS = 60


@register.simple_tag(takes_context=True)
def network_order(context: template.Context) -> list[str]:
    """Every network in the order the current member uses them (sharing's
    `network_order`): read once per request and kept NETWORK_ORDER_CACHE_SECONDS in the
    cache, the usual order without a membership."""
    request = context.get("request")
    if request is None:
        return list(Network.ALL)
    cached = getattr(request, _ORDER_ATTRIBUTE, None)
    if cached is None:
        membership = current_membership(request)
        key = f"sharing:order:{membership.pk}" if membership else ""
        cached = cache.get(key) if key else None
        if cached is None:
            cached = selectors.network_order(membership=membership) if membership else []
            cached = cached or list(Network.ALL)
            if key:
                cache.set(key, cached, NETWORK_ORDER_CACHE_SECONDS)
        setattr(request, _ORDER_ATTRIBUTE, cached)
    return list(cached)


@register.filter
def short_url(code: str) -> str:
    """The public short link of a tracked link's code."""
    return selectors.short_url(code)


def _share_bar_context(item: Any, order: Any = None) -> dict[str, Any]:
    """The share bar of one item, for a phone: the first suggested text of the member's
    first network (in `order`, from `{% network_order %}`; the usual order by default)
    with its Copy button, one row of share buttons for the first networks, and the other
    texts and networks in a <details>. Each share button is a POST to the share page, with
    the CSRF token of the page that shows it; on the networks whose share page takes no
    text (LinkedIn, Facebook), the feed's script copies the text with the tracked link
    before opening it (`data-copy-first`). Uses the item's prefetched copies: no query."""
    codes = [code for code in (order or Network.ALL) if code in Network.LABELS]
    codes += [code for code in Network.ALL if code not in codes]
    by_network: dict[str, list[Any]] = {}
    for copy in item.copies.all():
        by_network.setdefault(copy.network, []).append(copy)
    first_network = next((code for code in codes if by_network.get(code)), None)
    first_copy = by_network[first_network][0] if first_network else None
    offers = [
        NetworkOffer(
            code=code,
            label=Network.LABELS[code],
            copies=[c for c in by_network.get(code, []) if c is not first_copy],
            in_row=index < SHARE_ROW_SIZE,
            copy_first=code in intents.NO_TEXT_NETWORKS,
        )
        for index, code in enumerate(codes)
    ]
    return {
        "item": item,
        "first_copy": first_copy,
        "first_network": first_network,
        "first_label": Network.LABELS[first_network] if first_network else "",
        "row": [offer for offer in offers if offer.in_row],
        "offers": offers,
    }


# The share bar depends only on the item (its copies: editing them saves the item, which
# moves `updated_at`), the language and the member's network order; the one per-member part
# is the CSRF token of its forms. So it is rendered once per process for those, with a
# placeholder token, and the page's own token is put in its place (`share_buttons`). At most
# SHARE_BAR_CACHE_SIZE bars are kept (least recently used out).
SHARE_BAR_CACHE_SIZE = 4096
_CSRF_PLACEHOLDER = "portevoix-share-bar-csrf-placeholder"
_share_bars: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_share_bars_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def share_buttons(context: template.Context, item: Any, order: Any = None) -> str:
    """The share bar of one item (see `_share_bar_context`), from the per-process cache."""
    codes = tuple(order or ())
    updated = item.updated_at.timestamp() if getattr(item, "updated_at", None) else None
    key = (item.pk, updated, translation.get_language(), codes)
    with _share_bars_lock:
        html = _share_bars.get(key)
        if html is not None:
            _share_bars.move_to_end(key)
    if html is None:
        bar = _share_bar_context(item, order)
        bar["csrf_token"] = _CSRF_PLACEHOLDER
        html = get_template("sharing/_share_buttons.html").render(bar)
        with _share_bars_lock:
            _share_bars[key] = html
            while len(_share_bars) > SHARE_BAR_CACHE_SIZE:
                _share_bars.popitem(last=False)
    # The page's token, as `{% csrf_token %}` reads it (the csrf context processor).
    token = str(context.get("csrf_token") or "")
    request = context.get("request")
    if not token and request is not None:
        token = get_token(request)
    return mark_safe(html.replace(_CSRF_PLACEHOLDER, escape(token)))  # noqa: S308 - rendered by our template, token escaped
