"""Template helpers of the sharing app (no database access)."""

from __future__ import annotations

from django import template

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.sharing import selectors

register = template.Library()


@register.simple_tag
def share_networks() -> list[tuple[str, str]]:
    """Every network, as (code, label), in the usual order."""
    return list(NETWORK_CHOICES)


@register.filter
def short_url(code: str) -> str:
    """The public short link of a tracked link's code."""
    return selectors.short_url(code)
