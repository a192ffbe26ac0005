"""The variety check of the share page, without any model (docs/decisions/0030): when an
ambassador's own text reads almost like what many colleagues posted lately on the same
network, the live check warns (never blocks), since audiences discount identical posts.

The rule: rapidfuzz's `fuzz.ratio` (normalized Indel similarity, 0-100) of the two texts,
links removed, case folded, punctuation and spacing ignored, is at least SIMILARITY (90)
with the shares of at least COLLEAGUES (3) other members of the organization on the same
network in the last WINDOW (30 days). Only the newest SCAN (500) such shares are read, so
the check stays bounded however busy the program is."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import ngettext
from rapidfuzz import fuzz

from portevoix.core import clock
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from .models import Share

SIMILARITY = 90
COLLEAGUES = 3
WINDOW = dt.timedelta(days=30)
SCAN = 500

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class VarietyWarning:
    colleagues: int
    message: str


def comparable(text: str) -> str:
    """What two texts are compared on: the words, in order, without links (every sharer's
    tracked link differs), case or punctuation."""
    return " ".join(_NOT_WORD.sub(" ", _URL.sub(" ", text).casefold()).split())


def near_copy_colleagues(
    *,
    organization_id: int,
    membership_id: int,
    network: str,
    text: str,
    now: dt.datetime | None = None,
) -> int:
    """How many other members of the organization shared on `network`, in the window, a
    text at least SIMILARITY similar to `text` (each colleague counted once)."""
    query = comparable(text)
    if not query:
        return 0
    since = (now or clock.now()) - WINDOW
    rows = (
        scoped(Share, organization_id)
        .filter(network=network, created_at__gte=since, removed_at__isnull=True)
        .exclude(membership_id=membership_id)
        .exclude(text="")
        .order_by("-created_at", "-id")
        .values_list("membership_id", "text")[:SCAN]
    )
    colleagues: set[int] = set()
    for colleague, other in rows:
        if colleague in colleagues:
            continue
        if fuzz.ratio(query, comparable(other), score_cutoff=SIMILARITY):
            colleagues.add(colleague)
    return len(colleagues)


def variety_warning(
    *,
    organization_id: int,
    membership_id: int,
    network: str,
    text: str,
    now: dt.datetime | None = None,
) -> VarietyWarning | None:
    """The warning for the share page when the rule holds, else None."""
    count = near_copy_colleagues(
        organization_id=organization_id,
        membership_id=membership_id,
        network=network,
        text=text,
        now=now,
    )
    if count < COLLEAGUES:
        return None
    message = ngettext(
        "This text reads almost like what %(count)d colleague posted on %(network)s in the "
        "last 30 days: audiences pay less attention to identical posts. Add a word of your own?",
        "This text reads almost like what %(count)d colleagues posted on %(network)s in the "
        "last 30 days: audiences pay less attention to identical posts. Add a word of your own?",
        count,
    ) % {"count": count, "network": Network.LABELS.get(network, network)}
    return VarietyWarning(colleagues=count, message=message)
