"""What sharing tells other apps, as Django signals (a declared surface: other apps connect
to these, never to sharing's models). Each is sent INSIDE the transaction that records the
event, so a receiver's writes (recognition's points) commit with the event or not at all;
receivers must be quick and idempotent.

- `share_posted`: a share was confirmed by its ambassador or published through a connected
  account. Sent with `organization_id`, `membership_id`, `share_id`, `network`,
  `personalized`, `at` and `text_hash` (a hash of the normalized personalized text, "" when
  the suggested copy was kept: recognition's fair play compares them, never the text).
- `share_removed`: moderation took a share down. Sent with `organization_id`, `share_id`.
- `clicks_counted`: a batch of newly counted clicks (the first of a human visitor on a link
  that day; bots, HEAD requests and repeated visitors are never counted). Sent with
  `clicks`, a list of `CountedClick`.
- `conversion_recorded`: a new conversion attributed to a click. Sent with
  `organization_id`, `membership_id`, `conversion_id`, `network` and `at`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

share_posted = Signal()
share_removed = Signal()
clicks_counted = Signal()
conversion_recorded = Signal()


@dataclass(frozen=True)
class CountedClick:
    organization_id: int
    membership_id: int
    link_id: int
    network: str
    click_id: str
    at: dt.datetime
