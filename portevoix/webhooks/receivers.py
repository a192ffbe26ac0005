"""The events the other apps announce (their declared `signals`), turned into webhook
events (`services.event_publish`). A receiver never breaks the change that announced it: a
failure here is logged and the event is not sent (the sharing signals arrive inside the
transaction of the share or the clicks; the others once committed)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import transaction

from portevoix.accounts import signals as account_signals
from portevoix.content import signals as content_signals
from portevoix.core import clock
from portevoix.governance import signals as governance_signals
from portevoix.publishing import signals as publishing_signals
from portevoix.sharing import selectors as sharing_selectors
from portevoix.sharing import signals as sharing_signals

from . import selectors, services
from .events import Event, absolute, click_milestones

logger = logging.getLogger("portevoix.webhooks")


def _safely(build: Callable[..., list[Event]]) -> Callable[..., None]:
    def receiver(sender: Any, **kwargs: Any) -> None:
        try:
            with transaction.atomic():
                for event in build(**kwargs):
                    services.event_publish(event)
        except Exception:
            logger.exception("webhook_event_lost receiver=%s", build.__name__)

    receiver.__name__ = build.__name__
    return receiver


def item_went_live(*, organization_id: int, item_id: int, **kw: Any) -> list[Event]:
    data = {"item_id": item_id, "url": absolute("content:item", pk=item_id)}
    return [Event(organization_id, "content.item_live", str(item_id), data)]


def share_posted(
    *, organization_id: int, share_id: int, network: str, personalized: bool = False, **kw: Any
) -> list[Event]:
    data = {"share_id": share_id, "network": network, "personalized": bool(personalized)}
    return [Event(organization_id, "sharing.share_posted", str(share_id), data)]


def clicks_counted(*, clicks: list[sharing_signals.CountedClick], **kw: Any) -> list[Event]:
    """An item's milestones (10, 100, 1,000… counted clicks) crossed by this batch."""
    items = sharing_selectors.items_of_links(c.link_id for c in clicks)
    added = Counter((c.organization_id, items[c.link_id]) for c in clicks if c.link_id in items)
    events = []
    for (organization_id, item_id), count in added.items():
        if not _wants(organization_id, "sharing.clicks_milestone"):
            continue
        total = sharing_selectors.item_click_total(organization_id=organization_id, item_id=item_id)
        for milestone in click_milestones(total - count, total):
            data = {
                "item_id": item_id,
                "clicks": milestone,
                "url": absolute("content:item", pk=item_id),
            }
            key = f"{item_id}:{milestone}"
            events.append(Event(organization_id, "sharing.clicks_milestone", key, data))
    return events


def _wants(organization_id: int, event_type: str) -> bool:
    return selectors.subscribed(organization_id=organization_id, event_type=event_type)


def conversion_recorded(
    *, organization_id: int, conversion_id: int, network: str = "", **kw: Any
) -> list[Event]:
    data = {"conversion_id": conversion_id, "network": network}
    return [Event(organization_id, "sharing.conversion_recorded", str(conversion_id), data)]


def post_finished(*, organization_id: int, post_id: int, state: str, **kw: Any) -> list[Event]:
    kind = {"published": "publishing.post_published", "failed": "publishing.post_failed"}
    if state not in kind:
        return []
    return [Event(organization_id, kind[state], str(post_id), {"post_id": post_id})]


def _pause(kind: str) -> Callable[..., list[Event]]:
    def build(
        *, organization_id: int, pause_id: int, campaign_id: int | None, **kw: Any
    ) -> list[Event]:
        data = {
            "pause_id": pause_id,
            "campaign_id": campaign_id,
            "url": absolute("publishing:pause"),
        }
        return [Event(organization_id, kind, str(pause_id), data)]

    build.__name__ = kind
    return build


def moderation_opened(*, organization_id: int, case_id: int, source: str, **kw: Any) -> list[Event]:
    data = {"case_id": case_id, "source": source}
    return [Event(organization_id, "moderation.case_opened", str(case_id), data)]


def moderation_decided(
    *, organization_id: int, case_id: int, source: str, status: str, **kw: Any
) -> list[Event]:
    data = {"case_id": case_id, "source": source, "status": status}
    return [Event(organization_id, "moderation.case_decided", str(case_id), data)]


def _member(kind: str) -> Callable[..., list[Event]]:
    """A member joined or withdrew. They may leave and come back: the event is the member's
    on that day (UTC), so a repeated announcement is still one event."""

    def build(*, organization_id: int, membership_id: int, **kw: Any) -> list[Event]:
        key = f"{membership_id}:{clock.now().date().isoformat()}"
        return [Event(organization_id, kind, key, {"membership_id": membership_id})]

    build.__name__ = kind
    return build


_CONNECTIONS: tuple[tuple[Any, Callable[..., list[Event]]], ...] = (
    (content_signals.item_went_live, item_went_live),
    (sharing_signals.share_posted, share_posted),
    (sharing_signals.clicks_counted, clicks_counted),
    (sharing_signals.conversion_recorded, conversion_recorded),
    (publishing_signals.post_finished, post_finished),
    (publishing_signals.pause_started, _pause("publishing.paused")),
    (publishing_signals.pause_ended, _pause("publishing.resumed")),
    (governance_signals.moderation_opened, moderation_opened),
    (governance_signals.moderation_decided, moderation_decided),
    (account_signals.member_joined, _member("accounts.member_joined")),
    (account_signals.ambassador_withdrew, _member("accounts.ambassador_withdrew")),
)
RECEIVERS = [_safely(build) for _signal, build in _CONNECTIONS]


def connect() -> None:
    for (signal, build), receiver in zip(_CONNECTIONS, RECEIVERS, strict=True):
        signal.connect(receiver, dispatch_uid=f"webhooks_{build.__name__}", weak=False)
