"""The demo's badges and challenges: earned badges, the organization's own badge, a
running challenge with progress and a finished one with its bonus; loading again adds
nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import Organization
from portevoix.demo import data
from portevoix.recognition.models import Badge, BadgeAward, Challenge, PointEntry

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_badges_and_challenges(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", stdout=StringIO())
    org = Organization.objects.get(slug=data.ORG_SLUG)
    holders = set(BadgeAward.objects.filter(organization=org).values_list("membership", flat=True))
    assert len(holders) >= 3
    assert Badge.objects.filter(organization=org, code="", name="Cœur du réseau").exists()
    running = Challenge.objects.get(organization=org, title="Semaine du partage")
    assert 0 < running.progress < running.target and running.reached_at is None
    finished = Challenge.objects.get(organization=org, title="Premiers clics de la rentrée")
    assert finished.reached_at is not None
    assert PointEntry.objects.filter(rule="challenge_bonus", source_id=finished.pk).exists()
    count = BadgeAward.objects.count(), Challenge.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert (BadgeAward.objects.count(), Challenge.objects.count()) == count
