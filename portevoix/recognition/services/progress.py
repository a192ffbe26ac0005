"""What follows each ledger entry, in its transaction: the badges it may earn and the
challenges it counts in (costs: see `badges` and `challenges`). Called by the ledger."""

from __future__ import annotations

from collections.abc import Sequence

from portevoix.core import clock
from portevoix.core.tenancy import scoped

from ..models import POINTS, Challenge, ChallengeMetric, PointEntry
from .badges import badges_check_entry, badges_check_many
from .challenges import METRIC_OF_RULE, challenges_count_entry


def entry_recorded(entry: PointEntry) -> None:
    badges_check_entry(entry)
    challenges_count_entry(entry)


def entries_recorded(organization_id: int, entries: Sequence[PointEntry]) -> None:
    """The same for a batch of new awards (a click batch): the badges are checked for every
    person at once (`badges_check_many`, a few queries), not per entry; the entries are
    counted one by one in the challenges only when a challenge of their metric runs during
    the batch (one query tells)."""
    if not entries:
        return
    now = clock.now()
    people: dict[int, set[str]] = {}
    for entry in entries:
        counters = people.setdefault(entry.membership_id, set())
        counters.add(entry.rule)
        if entry.lifetime > 0:
            counters.add(POINTS)
    badges_check_many(organization_id=organization_id, people=people, at=now)
    metrics = {ChallengeMetric.POINTS, *(METRIC_OF_RULE.get(e.rule, "") for e in entries)}
    running = scoped(Challenge, organization_id).filter(
        metric__in=metrics - {""},
        starts_at__lte=max(entry.at for entry in entries),
        ends_at__gt=min(entry.at for entry in entries),
    )
    if running.exists():
        for entry in entries:
            challenges_count_entry(entry)
