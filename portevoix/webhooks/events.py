"""The events an endpoint can subscribe to, their stable ids and their bodies.

A body follows the Standard Webhooks shape: `{"type", "timestamp", "data"}`. `data` holds
ids and URLs only: never an email address, a name, a text or an IP address. The event id is
derived from the organization and what happened (the item that went live, the share, the
milestone...), so the same event announced twice has the same id, and is delivered once per
endpoint (a unique constraint on the endpoint and the event id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Each event type and its label, in the order of the form.
EVENT_TYPES: dict[str, str | Promise] = {
    "content.item_live": _("Content went live"),
    "sharing.share_posted": _("A share was posted"),
    "sharing.clicks_milestone": _("An item reached 10, 100, 1,000… clicks"),
    "sharing.conversion_recorded": _("A conversion was recorded"),
    "publishing.post_published": _("A scheduled post was published"),
    "publishing.post_failed": _("A scheduled post failed"),
    "publishing.paused": _("Publishing was paused"),
    "publishing.resumed": _("Publishing resumed"),
    "moderation.case_opened": _("A moderation case was opened"),
    "moderation.case_decided": _("A moderation case was decided"),
    "accounts.member_joined": _("A member joined"),
    "accounts.ambassador_withdrew": _("An ambassador withdrew"),
}
TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class Event:
    organization_id: int
    type: str
    key: str  # what happened, unique within the organization and the type
    data: dict[str, Any]

    @property
    def id(self) -> str:
        digest = hashlib.sha256(f"{self.organization_id}:{self.type}:{self.key}".encode())
        return "msg_" + digest.hexdigest()[:32]

    def body(self, at: dt.datetime) -> str:
        """The JSON body, compact, keys sorted: the bytes that are signed and sent."""
        payload = {"type": self.type, "timestamp": at.isoformat(), "data": self.data}
        return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def absolute(url_name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(url_name, kwargs=kwargs or None)


def click_milestones(before: int, after: int) -> list[int]:
    """The milestones (10, 100, 1,000…) crossed when an item's clicks went from `before` to
    `after`."""
    crossed = []
    milestone = 10
    while milestone <= after:
        if milestone > before:
            crossed.append(milestone)
        milestone *= 10
    return crossed
