"""Awards given after their event's transaction, in batches (decision 0034).

A share's award is one row of `PendingAward` written in the share's transaction; once it
commits, a task gives the waiting awards through `batch.points_award_many` (the click
batches' path: a few statements for the whole batch) and deletes them in the same
transaction. If the task is lost (a crash between the commit and the queue), the periodic
drain gives them later: nothing waits for ever, nothing is given twice (the ledger's keys).
A share taken down before its award was given loses the waiting award with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction

from portevoix.core.tenancy import scoped

from ..models import PendingAward
from .batch import points_award_many
from .ledger import Award

BATCH = 200


def awards_defer(*, awards: Sequence[Award]) -> None:
    """Write `awards` to be given once the caller's transaction commits (one insert; a key
    already waiting is skipped), and ask for the drain on commit."""
    if not awards:
        return
    PendingAward.objects.bulk_create(
        [
            PendingAward(
                organization_id=award.organization_id,
                membership_id=award.membership_id,
                rule=award.rule,
                source_type=award.source_type,
                source_id=award.source_id,
                network=award.network,
                key=award.key,
                at=award.at,
                count=award.count,
            )
            for award in awards
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(_drain_soon)


def _drain_soon() -> None:
    from ..tasks import give_pending_awards

    give_pending_awards()


def pending_awards_drain(*, batch: int = BATCH) -> int:
    """Give every waiting award, `batch` at a time (each batch in its own transaction: its
    rows locked, given, deleted). Returns how many entries were written."""
    written = 0
    while True:
        with transaction.atomic():
            taken, given = pending_awards_give(batch=batch)
        written += given
        if taken < batch:
            return written


def pending_awards_give(*, batch: int = BATCH) -> tuple[int, int]:
    """One batch of the drain, in the caller's transaction: up to `batch` waiting rows
    (locked; rows another worker holds are skipped) given through the batch path and
    deleted. Returns (rows taken, entries written)."""
    rows = list(PendingAward.objects.select_for_update(skip_locked=True).order_by("id")[:batch])
    if not rows:
        return 0, 0
    given = points_award_many(
        awards=[
            Award(
                organization_id=row.organization_id,
                membership_id=row.membership_id,
                rule=row.rule,
                source_type=row.source_type,
                source_id=row.source_id,
                key=row.key,
                at=row.at,
                network=row.network,
                count=row.count,
            )
            for row in rows
        ]
    )
    PendingAward.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows), given


def pending_forget_source(
    *,
    organization_id: int,
    source_type: str,
    source_id: int | None = None,
    source_ids: Iterable[int] = (),
    membership_ids: Iterable[int] | None = None,
) -> int:
    """The waiting awards of some events (a share taken down, or found unfair, before they
    were given): they will never be given. Returns how many."""
    ids = {*source_ids, *([] if source_id is None else [source_id])}
    rows = scoped(PendingAward, organization_id).filter(source_type=source_type, source_id__in=ids)
    if membership_ids is not None:
        rows = rows.filter(membership_id__in=list(membership_ids))
    deleted, _kinds = rows.delete()
    return deleted
