"""Template tags of the installable web app (core/pwa.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.crypto import salted_hmac

register = template.Library()


@register.simple_tag(takes_context=True)
def pwa_viewer(context: dict[str, Any]) -> str:
    """An opaque id of the person viewing the page ("" when nobody is logged in).

    static/js/pwa.js gives it to the service worker, which empties the kept feed when it
    changes: on a shared device, one person never sees another's feed offline. A keyed hash
    of the user's id: the page does not reveal the id itself."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("portevoix.core.pwa.viewer", str(user.pk)).hexdigest()[:20]
