"""What the content pages share: tabs, labels, copies grouped per network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from portevoix.core.networks import Network

from ..models import ContentItem, NetworkCopy, State

if TYPE_CHECKING:
    pass


LIBRARY_PAGE_SIZE = 20
FEED_PAGE_SIZE = 10

# Tabs of the library, in order; "" is every item.
STATE_TABS: list[tuple[str, Any]] = [
    ("", gettext_lazy("All")),
    (State.DRAFT, State.DRAFT.label),
    (State.IN_REVIEW, State.IN_REVIEW.label),
    (State.CHANGES_REQUESTED, State.CHANGES_REQUESTED.label),
    (State.APPROVED, gettext_lazy("Scheduled")),
    (State.LIVE, State.LIVE.label),
    (State.EXPIRED, State.EXPIRED.label),
    (State.ARCHIVED, State.ARCHIVED.label),
]
STATE_CODES = {code for code, _label in STATE_TABS}

# How the history names each recorded action.
ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "edit": gettext_lazy("Edited"),
    "submit": gettext_lazy("Submitted for review"),
    "approve": gettext_lazy("Approved"),
    "request_changes": gettext_lazy("Changes requested"),
    "comment": gettext_lazy("Comment"),
    "archive": gettext_lazy("Archived"),
    "restore": gettext_lazy("Restored"),
    "schedule": gettext_lazy("Schedule"),
    "reschedule": gettext_lazy("Moved on the calendar"),
}

WORKFLOW_ACTIONS = ("submit", "approve", "request_changes", "comment", "archive", "restore")


@dataclass
class CopyGroup:
    network: str
    label: str
    copies: list[NetworkCopy]


def copy_groups(item: ContentItem) -> list[CopyGroup]:
    """The item's (prefetched) copies grouped per network, in the usual network order."""
    by_network: dict[str, list[NetworkCopy]] = {}
    for copy in item.copies.all():
        by_network.setdefault(copy.network, []).append(copy)
    return [
        CopyGroup(network, Network.LABELS[network], by_network[network])
        for network in Network.ALL
        if network in by_network
    ]


def state_label(code: str) -> str:
    return str(State(code).label)
