from __future__ import annotations

from typing import Any

from django import template

from portevoix.core.networks import LIMITS, Network

from .. import selectors
from ..forms import PostForm

register = template.Library()


@register.inclusion_tag("publishing/_publish_panel.html", takes_context=True)
def publish_panel(
    context: dict[str, Any], item: Any, network: str, initial_text: str = ""
) -> dict[str, Any]:
    """On the share page: publish or schedule through a connected account."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    connections = selectors.publishable_connections(membership, network) if membership else []
    broken = selectors.needing_reconnect(membership, network) if membership else []
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "item": item,
        "network": network,
        "network_label": Network.LABELS.get(network, network),
        "limit": LIMITS.get(network),
        "connections": connections,
        "form": PostForm(initial={"text": initial_text}),
        "broken": broken,
        "facebook_note": selectors.facebook_note() if network == Network.FACEBOOK else "",
    }
