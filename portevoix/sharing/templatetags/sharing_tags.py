"""Template helpers of the sharing app (no database access).

`{% share_buttons item %}` is the surface other apps' templates use to offer sharing (the
content feed): they never include sharing's private templates themselves.
"""

from __future__ import annotations

from typing import Any

from django import template

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.sharing import intents, selectors

register = template.Library()


@register.simple_tag
def share_networks() -> list[tuple[str, str]]:
    """Every network, as (code, label), in the usual order."""
    return list(NETWORK_CHOICES)


@register.filter
def short_url(code: str) -> str:
    """The public short link of a tracked link's code."""
    return selectors.short_url(code)


@register.inclusion_tag("sharing/_share_buttons.html", takes_context=True)
def share_buttons(context: template.Context, item: Any) -> dict[str, Any]:
    """The share bar of one item: a button per network (a POST to the share page, with the
    CSRF token of the page that shows it) and a link to personalize the text. On the
    networks whose share page takes no text (LinkedIn, Facebook), the feed's script copies
    the text with the tracked link before opening it (`data-copy-first`)."""
    return {
        "item": item,
        "request": context.get("request"),
        "no_text_networks": sorted(intents.NO_TEXT_NETWORKS),
    }
