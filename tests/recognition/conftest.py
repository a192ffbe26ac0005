from __future__ import annotations

import datetime as dt

import pytest

from portevoix.recognition import services
from portevoix.recognition.models import PointEntry
from tests.factories import make_live_item

NOON = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.UTC)  # a Tuesday, 12:00 in Paris


@pytest.fixture(autouse=True)
def _short_links(settings):
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"


@pytest.fixture
def item(manager, approver):
    return make_live_item(manager, approver)


def award(membership, rule="share", key="k1", *, at=NOON, network="linkedin", count=1, source=1):
    return services.points_award(
        award=services.Award(
            organization_id=membership.organization_id,
            membership_id=membership.pk,
            rule=rule,
            source_type="test",
            source_id=source,
            key=key,
            at=at,
            network=network,
            count=count,
        )
    )


def entries(membership) -> list[tuple[str, int]]:
    return list(
        PointEntry.objects.filter(membership=membership)
        .order_by("id")
        .values_list("rule", "lifetime")
    )


def histogram_agrees(organization_id):
    """The stored histogram equals a count of the listed totals (points above zero)."""
    from collections import Counter

    from portevoix.recognition.models import PointHistogram, PointTotal

    counted = Counter(
        PointTotal.objects.filter(
            organization_id=organization_id, listed=True, points__gt=0
        ).values_list("period", "start", "points")
    )
    stored: Counter = Counter()
    for period, start, points, n in PointHistogram.objects.filter(
        organization_id=organization_id
    ).values_list("period", "start", "points", "members"):
        stored[(period, start, points)] += n
    return dict(counted) == {key: n for key, n in stored.items() if n}
