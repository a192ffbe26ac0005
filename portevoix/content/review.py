"""Reads of the approvals queue ("waiting for me") and of the reviewers' diff.

The queue is `selectors.approvals_waiting_for` (oldest submission first), one page at a
time with what each entry shows: the author, campaign, topics, copies and the diff against
the last approved revision, in a constant number of queries whatever the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, Subquery

from portevoix.core import clock

from . import selectors
from .diff import ItemDiff, item_snapshot, snapshot_diff
from .models import ContentItem, ItemRevision, NetworkCopy

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

QUEUE_PAGE_SIZE = 20
DUE_SOON = dt.timedelta(days=1)


@dataclass
class QueueEntry:
    item: Any  # a ContentItem with `submitted_at` and `regular_approvals` annotated
    diff: ItemDiff
    due: str  # "overdue", "soon" (within a day), "later" or "" (no due date)
    final_step: bool  # the regular approvals are in: this signature is the final one


@dataclass
class QueuePage:
    entries: list[QueueEntry]
    total: int
    page: int
    pages: int


def due_status(due_at: dt.datetime | None, now: dt.datetime) -> str:
    if due_at is None:
        return ""
    if due_at <= now:
        return "overdue"
    if due_at <= now + DUE_SOON:
        return "soon"
    return "later"


def _last_approved(item_ids: list[int], revision_ids: list[int | None]) -> dict[int, ItemRevision]:
    ids = [pk for pk in revision_ids if pk is not None]
    if not ids:
        return {}
    rows = ItemRevision.objects.filter(pk__in=ids, item_id__in=item_ids)
    return {row.item_id: row for row in rows}


def approvals_queue(*, membership: Membership, page: int = 1) -> QueuePage:
    """One page of the member's queue: four queries (count, items with their author and
    campaign, topics, copies) and one for the approved snapshots, whatever the page size."""
    total = selectors.approvals_waiting_count(membership=membership)
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    if not total:
        return QueuePage(entries=[], total=0, page=1, pages=1)
    last = ItemRevision.objects.filter(item=OuterRef("pk")).order_by("-revision").values("pk")[:1]
    qs = (
        selectors.approvals_waiting_for(membership=membership)
        .select_related("author", "campaign")
        .prefetch_related(
            "topics",
            Prefetch("copies", queryset=NetworkCopy.objects.order_by("network", "variant")),
        )
        .annotate(last_approved_id=Subquery(last))
    )
    start = (page - 1) * QUEUE_PAGE_SIZE
    items: list[Any] = list(qs[start : start + QUEUE_PAGE_SIZE])
    snapshots = _last_approved([i.pk for i in items], [i.last_approved_id for i in items])
    now = clock.now()
    org = membership.organization
    entries = []
    for item in items:
        base = snapshots.get(item.pk)
        entries.append(
            QueueEntry(
                item=item,
                diff=snapshot_diff(
                    base.snapshot if base else None,
                    item_snapshot(item),
                    base_revision=base.revision if base else None,
                ),
                due=due_status(item.review_due_at, now),
                final_step=org.final_approval_required
                and item.regular_approvals >= org.approvals_required,
            )
        )
    return QueuePage(entries=entries, total=total, page=page, pages=pages)


def queue_item(*, membership: Membership, pk: int) -> ContentItem:
    """An item the member acts on from the queue: any item of the organization (the
    services say whether the member may approve it); `NotFound` for another
    organization's."""
    return selectors.item_for_editor(membership=membership, pk=pk)


def item_review_diff(*, item: ContentItem) -> ItemDiff:
    """The item (with topics and copies prefetched) against its last approved revision
    before the current one."""
    base = (
        ItemRevision.objects.filter(item=item, revision__lt=item.revision)
        .order_by("-revision")
        .first()
    )
    return snapshot_diff(
        base.snapshot if base else None,
        item_snapshot(item),
        base_revision=base.revision if base else None,
    )
