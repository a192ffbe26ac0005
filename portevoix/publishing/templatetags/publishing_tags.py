"""Pieces of publishing for other apps' pages.

- `{% publish_panel item network %}`: on the share page, publish or schedule through a
  connected account.
- `{% card_publish_actions item %}`: on a feed card, "share now" and "schedule at the best
  time" per connected account, and "share to all my accounts at their best times". Nothing
  for a member without a usable account. The accounts, their best times and the member's
  planned posts are read once per request (cached on the request): a page of N cards costs
  the queries of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest

from portevoix.accounts.permissions import can
from portevoix.core import page_cache
from portevoix.core.networks import LIMITS, Network
from portevoix.core.web import current_membership
from portevoix.sharing import selectors as sharing_selectors

from .. import selectors
from ..forms import PostForm
from ..models import Post, PostState

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


PREVIEW_CHARS = 140


@dataclass
class _RequestCard:
    membership_id: int
    state: selectors.CardState
    # The stylesheet and script go out with the first card of the page only.
    assets_sent: bool = False


def _card_state(request: HttpRequest, membership: Any) -> _RequestCard:
    cached: _RequestCard | None = getattr(request, "_publishing_card", None)
    if cached is None or cached.membership_id != membership.pk:
        cached = _RequestCard(membership_id=membership.pk, state=selectors.card_state(membership))
        request._publishing_card = cached  # type: ignore[attr-defined]
    return cached


@dataclass(frozen=True)
class CardRow:
    account: selectors.CardAccount
    best_label: str
    # The first suggested copy of the account's network (else the title), as a preview.
    text: str
    post: Post | None
    post_label: str


def _preview(item: Any, network: str) -> str:
    """The words of the text that goes out: the item's own link is left out, the tracked
    link takes its place (the template says so)."""
    copies = sharing_selectors.suggested_copies(item, network)  # the feed's prefetch
    text = copies[0].text if copies else str(item.title)
    if item.link:
        text = text.replace(item.link, "")
    return " ".join(text.split())


@register.inclusion_tag("publishing/_card_actions.html", takes_context=True)
def card_publish_actions(context: template.Context, item: Any) -> dict[str, Any]:
    """Publish `item` from its feed card through the member's connected accounts."""
    request = context.get("request")
    membership = current_membership(request) if request is not None else None
    if membership is None or not can(membership, "share.create"):
        return {"rows": []}
    cached = _card_state(request, membership)  # type: ignore[arg-type]
    if not cached.state.accounts:
        return {"rows": []}
    # The member's own posts, whose states the worker moves: a page showing them is not kept.
    page_cache.not_kept(request)
    rows = []
    for account in cached.state.accounts:
        post = cached.state.posts.get((item.pk, account.connection.pk))
        post_label = ""
        if post is not None:
            when = post.published_at if post.state == PostState.PUBLISHED else post.scheduled_at
            post_label = selectors.card_when(membership, when or post.scheduled_at)
        rows.append(
            CardRow(
                account=account,
                best_label=selectors.card_when(membership, account.best_at),
                text=_preview(item, account.connection.network),
                post=post,
                post_label=post_label,
            )
        )
    assets = not cached.assets_sent
    cached.assets_sent = True
    return {
        "rows": rows,
        "item": item,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),  # type: ignore[union-attr]
        "show_all": len(rows) > 1 and any(row.post is None for row in rows),
        "assets": assets,
        "states": PostState,
        "preview_chars": PREVIEW_CHARS,
    }
