"""The demo's shares, clicks and conversions (portevoix/demo/extra_sharing.py)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.demo import extra_sharing
from portevoix.sharing.models import Click, Conversion, Share
from tests import factories
from tests.factories import make_live_item
from tests.sharing.conftest import presence, set_networks, total

# The demo activity of a whole organization (seconds): the `slow` tier, as the README says.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def busy_org(org, manager, approver):
    now = clock.now()
    people = []
    for n in range(8):
        member = factories.make_member(org, ambassador=True)
        set_networks(
            member,
            presence("linkedin", 800 + 150 * n),
            presence("x", 400 + 90 * n),
            presence("mastodon", 120, "piaille.fr" if n % 2 else ""),
        )
        people.append(member)
    for n in range(5):
        make_live_item(
            manager,
            approver,
            title=f"Actualité {n}",
            important=n == 0,
            publish_at=now - dt.timedelta(days=5 + 12 * n),
        )
    expired = make_live_item(
        manager, approver, title="Ancien", publish_at=now - dt.timedelta(days=80)
    )
    ContentItem.objects.filter(pk=expired.pk).update(expire_at=now - dt.timedelta(days=50))
    return org


def test_the_demo_activity_is_realistic_and_exact(busy_org, rollup_calls):
    started = time.monotonic()
    extra_sharing.load(busy_org)
    assert time.monotonic() - started < 20
    now = clock.now()
    shares = Share.objects.filter(organization=busy_org)
    assert shares.count() > 20
    assert shares.filter(personalized=True).exists()
    assert shares.filter(state="confirmed").exists() and shares.filter(state="opened").exists()
    # Every share happened while its item was available, within the last 90 days.
    for share in shares.select_related("item"):
        assert now - dt.timedelta(days=90) <= share.created_at <= now
        assert share.item.publish_at is None or share.created_at >= share.item.publish_at
        assert share.item.expire_at is None or share.created_at <= share.item.expire_at
    # Weekdays are busier than weekends.
    weekend = sum(1 for s in shares if s.created_at.astimezone().weekday() >= 5)
    assert weekend < shares.count() / 3
    # Mastodon only for those who gave their instance.
    for share in shares.filter(network="mastodon").select_related("membership"):
        assert share.membership.ambassador.networks.get(network="mastodon").instance
    # Clicks and conversions exist, and the rollups equal a recount of the raw rows.
    clicks = Click.objects.filter(organization=busy_org)
    assert clicks.filter(counted=True).count() > 50
    assert clicks.filter(counted=False).exists()  # repeat visits the same day
    conversions = Conversion.objects.filter(organization=busy_org)
    assert conversions.filter(click__isnull=False).exists()
    assert conversions.filter(click__isnull=True).exists()
    assert total(rollup_calls, "shares") == shares.count()
    assert total(rollup_calls, "original_posts") == shares.filter(personalized=True).count()
    assert total(rollup_calls, "potential_reach") == sum(s.audience for s in shares)
    assert total(rollup_calls, "clicks") == clicks.filter(counted=True).count()
    attributed = conversions.filter(click__isnull=False)
    assert total(rollup_calls, "conversions") == attributed.count()
    assert total(rollup_calls, "conversion_value") == sum((c.value for c in attributed), Decimal(0))
