"""What changed between two versions of an item: the revision under review against the last
approved one (`ItemRevision.snapshot`), field by field, word by word (difflib).

Plain data only: the templates show the segments with Django's escaping (`<del>`, `<ins>`),
never as raw HTML."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from portevoix.core.networks import Network

if TYPE_CHECKING:
    from .models import ContentItem

_WORDS = re.compile(r"(\s+)")


def item_snapshot(item: ContentItem) -> dict[str, Any]:
    """What the reviewers compare, as plain JSON: texts, link, dates (ISO), campaign and
    topics by name, copies per network and variant. Reads `item.topics.all()` and
    `item.copies.all()`, so prefetched rows cost no query."""
    copies = sorted(item.copies.all(), key=lambda c: (c.network, c.variant))
    return {
        "title": item.title,
        "body": item.body,
        "link": item.link,
        "publish_at": item.publish_at.isoformat() if item.publish_at else "",
        "expire_at": item.expire_at.isoformat() if item.expire_at else "",
        "campaign": item.campaign.name if item.campaign_id and item.campaign else "",
        "topics": sorted(topic.name for topic in item.topics.all()),
        "copies": [{"network": c.network, "variant": c.variant, "text": c.text} for c in copies],
    }


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "del" or "ins"
    text: str


@dataclass
class FieldChange:
    """One changed field. `segments` for texts (word by word); `before`/`after` for values
    (dates as datetimes, "" when empty)."""

    key: str
    label: str
    segments: list[Segment] = field(default_factory=list)
    before: Any = ""
    after: Any = ""

    @property
    def is_text(self) -> bool:
        return bool(self.segments)


@dataclass
class ItemDiff:
    """The changes of the revision under review; `first` when no revision was approved yet
    (nothing to compare with)."""

    first: bool
    base_revision: int | None = None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.first and not self.changes


def word_diff(before: str, after: str) -> list[Segment]:
    """The words of `before` and `after`, each kept, deleted or inserted (whitespace kept)."""
    old, new = _WORDS.split(before), _WORDS.split(after)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("del", "".join(old[i1:i2])))
        if j2 > j1:
            segments.append(Segment("ins", "".join(new[j1:j2])))
    return [s for s in segments if s.text]


def _date(value: str) -> dt.datetime | str:
    return dt.datetime.fromisoformat(value) if value else ""


def _copy_label(network: str, variant: int) -> str:
    label = _("Copy for %(network)s") % {"network": Network.LABELS.get(network, network)}
    if variant > 1:
        label += " " + _("(variant %(n)d)") % {"n": variant}
    return label


def snapshot_diff(
    old: dict[str, Any] | None, new: dict[str, Any], *, base_revision: int | None = None
) -> ItemDiff:
    """The changed fields from `old` (the last approved snapshot, None for a first approval)
    to `new`, in reading order: title, body, link, dates, campaign, topics, copies."""
    if old is None:
        return ItemDiff(first=True)
    changes: list[FieldChange] = []
    for key, label in (("title", _("Title")), ("body", _("Body"))):
        if old.get(key, "") != new.get(key, ""):
            changes.append(
                FieldChange(key, label, segments=word_diff(old.get(key, ""), new.get(key, "")))
            )
    if old.get("link", "") != new.get("link", ""):
        changes.append(FieldChange("link", _("Link"), before=old.get("link"), after=new["link"]))
    for key, label in (("publish_at", _("Publish at")), ("expire_at", _("Expire at"))):
        if old.get(key, "") != new.get(key, ""):
            changes.append(
                FieldChange(
                    key, label, before=_date(old.get(key, "")), after=_date(new.get(key, ""))
                )
            )
    if old.get("campaign", "") != new.get("campaign", ""):
        changes.append(
            FieldChange(
                "campaign", _("Campaign"), before=old.get("campaign"), after=new["campaign"]
            )
        )
    if sorted(old.get("topics", [])) != sorted(new.get("topics", [])):
        changes.append(
            FieldChange(
                "topics",
                _("Topics"),
                before=", ".join(sorted(old.get("topics", []))),
                after=", ".join(sorted(new.get("topics", []))),
            )
        )
    old_copies = {(c["network"], c["variant"]): c["text"] for c in old.get("copies", [])}
    new_copies = {(c["network"], c["variant"]): c["text"] for c in new.get("copies", [])}
    order = {network: i for i, network in enumerate(Network.ALL)}
    for network, variant in sorted(
        old_copies.keys() | new_copies.keys(), key=lambda k: (order.get(k[0], 99), k[1])
    ):
        before = old_copies.get((network, variant), "")
        after = new_copies.get((network, variant), "")
        if before != after:
            changes.append(
                FieldChange(
                    f"copy:{network}:{variant}",
                    _copy_label(network, variant),
                    segments=word_diff(before, after),
                )
            )
    return ItemDiff(first=False, base_revision=base_revision, changes=changes)
