"""The demo's boards: points from its shares and clicks, people of every visibility."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import AmbassadorProfile, Membership, Organization
from portevoix.demo import data, extra_recognition
from portevoix.recognition import selectors
from portevoix.recognition.models import PointEntry

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_boards_show_people_of_every_choice(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", stdout=StringIO())
    org = Organization.objects.get(slug=data.ORG_SLUG)
    choices = set(
        AmbassadorProfile.objects.filter(membership__organization=org)
        .exclude(visibility="")
        .values_list("visibility", flat=True)
    )
    assert choices == {"name", "pseudonym", "hidden"}
    rules = set(PointEntry.objects.filter(organization=org).values_list("rule", flat=True))
    assert {"share", "original_post", "click", "course_passed"} <= rules
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    rows = selectors.board(membership=ambassador, period="all", limit=None)
    assert len(rows) >= 10
    hidden = Membership.objects.get(organization=org, user__email=data.CONTENT_2)
    assert hidden.user.display_name not in {row.name for row in rows}
    assert "Plume verte" in {row.name for row in rows}
    stored = selectors.stored_totals(organization_id=org.pk)
    recount = selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }
    # Loading the part again awards nothing more.
    count = PointEntry.objects.count()
    extra_recognition.load(org)
    assert PointEntry.objects.count() == count
