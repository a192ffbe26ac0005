"""The rollups read the raw events through the selectors of the apps that own them
(settings.ROLLUP_EVENT_SOURCES): each source answers for one organization only, and a
missing source is a configuration error, not silently empty figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portevoix.analytics import rollups
from portevoix.analytics.models import DailyRollup
from tests import factories
from tests.analytics import events

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def at(hour: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour), tzinfo=timezone.get_current_timezone())


def organization_with_a_share(name: str, network: str, audience: int):
    org = factories.make_org(name)
    manager = factories.make_member(org, "content_manager")
    item = factories.make_live_item(manager, factories.make_member(org, "approver"))
    ambassador = factories.make_member(org, ambassador=True)
    share = events.share(ambassador, item, network, at(9), audience=audience)
    events.click(share.link, at(10), "v1")
    post = events.connect_post(share)
    events.snapshot(post, at(11), likes=2, impressions=10)
    return org, item, ambassador


def test_each_organization_counts_its_own_events_only():
    org_a, item_a, ambassador_a = organization_with_a_share("A", "x", 100)
    org_b, _item_b, _ambassador_b = organization_with_a_share("B", "bluesky", 7)
    recount = rollups.rollups_recount(organization_id=org_a.pk, start=DAY, end=DAY)
    assert list(recount) == [(DAY, item_a.pk, ambassador_a.pk, "x")]
    figures = recount[(DAY, item_a.pk, ambassador_a.pk, "x")]
    assert (figures["shares"], figures["potential_reach"], figures["clicks"]) == (1, 100, 1)
    assert (figures["engagements"], figures["impressions"]) == (2, 10)
    b_cells = list(DailyRollup.objects.filter(organization=org_b).values())
    assert rollups.rollups_rebuild(organization_id=org_a.pk, start=DAY, end=DAY) == 1
    assert list(DailyRollup.objects.filter(organization=org_b).values()) == b_cells
    assert rollups.rollups_read(organization_id=org_a.pk, start=DAY, end=DAY) == recount


def test_a_missing_source_is_a_configuration_error(org, settings):
    settings.ROLLUP_EVENT_SOURCES = {
        kind: path for kind, path in settings.ROLLUP_EVENT_SOURCES.items() if kind != "clicks"
    }
    with pytest.raises(ImproperlyConfigured, match="clicks"):
        rollups.rollups_recount(organization_id=org.pk, start=DAY, end=DAY)
