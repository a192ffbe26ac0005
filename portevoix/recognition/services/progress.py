"""What follows each ledger entry, in its transaction: the badges it may earn and the
challenges it counts in (costs: see `badges` and `challenges`). Called by the ledger."""

from __future__ import annotations

from ..models import PointEntry
from .badges import badges_check_entry
from .challenges import challenges_count_entry


def entry_recorded(entry: PointEntry) -> None:
    badges_check_entry(entry)
    challenges_count_entry(entry)
