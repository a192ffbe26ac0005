"""The demo's recognition and participation (issue 12): boards with every visibility choice,
badges and challenges, ideas with each outcome, a catalogue with redemptions, and surveys.
One module, so that its tests share one load of the demo (tests/conftest.py `demo_module`);
each test runs in its own savepoint, so one test's changes never reach the next."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import AmbassadorProfile, Membership
from portevoix.content.models import State
from portevoix.demo import data, extra_recognition
from portevoix.ideas.models import Idea, IdeaComment, IdeaStatus
from portevoix.recognition import selectors as recognition_selectors
from portevoix.recognition.models import Badge, BadgeAward, Challenge, PointEntry
from portevoix.rewards.models import Redemption, Reward
from portevoix.surveys import selectors as survey_selectors
from portevoix.surveys.models import State as SurveyState
from portevoix.surveys.models import Survey

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_boards_show_people_of_every_choice(demo_module):
    org, _output = demo_module
    choices = set(
        AmbassadorProfile.objects.filter(membership__organization=org)
        .exclude(visibility="")
        .values_list("visibility", flat=True)
    )
    assert choices == {"name", "pseudonym", "hidden"}
    rules = set(PointEntry.objects.filter(organization=org).values_list("rule", flat=True))
    assert {"share", "original_post", "click", "course_passed"} <= rules
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    rows = recognition_selectors.board(membership=ambassador, period="all", limit=None)
    assert len(rows) >= 10
    hidden = Membership.objects.get(organization=org, user__email=data.CONTENT_2)
    assert hidden.user.display_name not in {row.name for row in rows}
    assert "Plume verte" in {row.name for row in rows}
    stored = recognition_selectors.stored_totals(organization_id=org.pk)
    recount = recognition_selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }
    # Loading the part again awards nothing more.
    count = PointEntry.objects.count()
    extra_recognition.load(org)
    assert PointEntry.objects.count() == count


def test_the_demo_has_badges_and_challenges(demo_module):
    org, _output = demo_module
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


def test_the_demo_has_ideas_of_every_kind_and_each_outcome(demo_module):
    org, _output = demo_module
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


def test_the_demo_has_a_closed_barometer_and_an_open_survey(demo_module):
    org, _output = demo_module
    closed = Survey.objects.get(organization=org, state=SurveyState.CLOSED)
    assert closed.anonymous
    admin = Membership.objects.get(organization=org, user__email=data.ADMIN)
    found = survey_selectors.results(membership=admin, pk=closed.pk)
    assert found.shown and found.participants >= 8
    by_kind = {r.question.kind: r for r in found.questions}
    assert by_kind["enps"].enps is not None and by_kind["text"].texts
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    assert [s.title for s in survey_selectors.open_surveys(membership=ambassador)] == [
        "Vos formats préférés"
    ]


def test_the_demo_has_a_catalogue_and_two_redemptions(demo_module):
    org, _output = demo_module
    assert Reward.objects.filter(organization=org).count() == 6
    statuses = sorted(Redemption.objects.filter(organization=org).values_list("status", flat=True))
    assert statuses == ["approved", "pending"]
    stored = recognition_selectors.stored_totals(organization_id=org.pk)
    recount = recognition_selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }
