"""`{% notification_badge %}`: a bell linking to the notifications, with the unread count
(one query). Renders nothing for a visitor with no current organization."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notification_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    membership = getattr(request, "membership", None) if request is not None else None
    user = getattr(request, "user", None)
    if not membership or user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count(membership=membership)}
