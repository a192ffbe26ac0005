"""The demo's surveys: a closed anonymous barometer with results, and an open survey."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import Membership, Organization
from portevoix.demo import data
from portevoix.surveys import selectors
from portevoix.surveys.models import State, Survey

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_a_closed_barometer_and_an_open_survey(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", stdout=StringIO())
    org = Organization.objects.get(slug=data.ORG_SLUG)
    closed = Survey.objects.get(organization=org, state=State.CLOSED)
    assert closed.anonymous
    admin = Membership.objects.get(organization=org, user__email=data.ADMIN)
    found = selectors.results(membership=admin, pk=closed.pk)
    assert found.shown and found.participants >= 8
    by_kind = {r.question.kind: r for r in found.questions}
    assert by_kind["enps"].enps is not None and by_kind["text"].texts
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    assert [s.title for s in selectors.open_surveys(membership=ambassador)] == [
        "Vos formats préférés"
    ]
