"""The demo's rewards: a catalogue, one approved and one pending redemption."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import Organization
from portevoix.demo import data
from portevoix.recognition import selectors as recognition_selectors
from portevoix.rewards.models import Redemption, Reward

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_a_catalogue_and_two_redemptions(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", stdout=StringIO())
    org = Organization.objects.get(slug=data.ORG_SLUG)
    assert Reward.objects.filter(organization=org).count() == 6
    statuses = sorted(Redemption.objects.filter(organization=org).values_list("status", flat=True))
    assert statuses == ["approved", "pending"]
    stored = recognition_selectors.stored_totals(organization_id=org.pk)
    recount = recognition_selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }
