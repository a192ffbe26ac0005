"""The demo's idea box: every kind, votes and comments, one accepted into a draft, one
declined with its reason."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import Organization
from portevoix.content.models import State
from portevoix.demo import data
from portevoix.ideas.models import Idea, IdeaComment, IdeaStatus
from portevoix.recognition.models import PointEntry

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_ideas_of_every_kind_and_each_outcome(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", stdout=StringIO())
    org = Organization.objects.get(slug=data.ORG_SLUG)
    ideas = Idea.objects.filter(organization=org)
    assert set(ideas.values_list("kind", flat=True)) == {"content", "insight", "improvement"}
    assert all(idea.vote_count >= 2 for idea in ideas)
    assert IdeaComment.objects.filter(organization=org).count() == 4
    accepted = ideas.get(status=IdeaStatus.ACCEPTED)
    assert accepted.content_item is not None
    assert accepted.content_item.state == State.DRAFT
    assert PointEntry.objects.filter(rule="idea_accepted", key=f"idea:{accepted.pk}").count() == 1
    declined = ideas.get(status=IdeaStatus.DECLINED)
    assert declined.decision_reason
    call_command("load_demo", stdout=StringIO())  # loading again adds nothing
    assert Idea.objects.filter(organization=org).count() == ideas.count() == 6
