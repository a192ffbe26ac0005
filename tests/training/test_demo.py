"""The demo training data: the starter course in French and English, and three sessions."""

from __future__ import annotations

import pytest
from django.core import mail

from portevoix.accounts.models import Membership
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.demo import extra_training
from portevoix.training.models import Certificate, Course, Enrollment, Event, Registration
from portevoix.training.selectors import missing_required_courses
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org():
    """A factory organization holding a few of the demo's people, and others."""
    org = factories.make_org("Lumen")
    factories.make_member(org, Role.ADMIN, email="admin@demo.portevoix.org")
    factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@demo.portevoix.org")
    factories.make_member(org, email="ambassadrice@demo.portevoix.org", ambassador=True)
    lukas = factories.make_member(org, email="lukas.schneider@demo.portevoix.org")
    lukas.user.language = "en"
    lukas.user.save(update_fields=["language"])
    factories.make_member(org, email="membre@demo.portevoix.org")
    factories.make_member(org, email="lucas.robin@demo.portevoix.org", ambassador=True)
    for _i in range(12):
        factories.make_member(org)
    return org


def test_the_starter_course_in_two_languages(demo_org):
    extra_training.load(demo_org)
    fr = Course.objects.get(organization=demo_org, language="fr")
    en = Course.objects.get(organization=demo_org, language="en")
    assert en.translation_of == fr
    for course in (fr, en):
        assert course.published and course.required_for == "personalize"
        assert course.passing_score == 80
        assert course.lessons.count() == 4
        assert course.questions.count() == 6
        assert course.questions.filter(kind="multiple").count() == 2
        for question in course.questions.prefetch_related("choices"):
            assert question.explanation
            assert question.lesson is not None
            correct = [c for c in question.choices.all() if c.correct]
            assert len(correct) == 1 if question.kind == "single" else len(correct) >= 1
    bodies = " ".join(fr.lessons.values_list("body", flat=True))
    for word in ("volontariat", "LinkedIn", "X", "adresse IP", "une seule", "hachage salé"):
        assert word in bodies, word
    bodies = " ".join(en.lessons.values_list("body", flat=True))
    for word in ("voluntary", "LinkedIn", "IP address", "salted hash", "every day"):
        assert word in bodies, word


def test_progress_and_certificates(demo_org):
    extra_training.load(demo_org)
    holders = dict(
        Certificate.objects.filter(organization=demo_org).values_list(
            "membership__user__email", "course__language"
        )
    )
    assert holders == {
        "ambassadrice@demo.portevoix.org": "fr",
        "community@demo.portevoix.org": "fr",
        "lukas.schneider@demo.portevoix.org": "en",
    }
    in_progress = Enrollment.objects.filter(organization=demo_org, completed_at__isnull=True)
    assert set(in_progress.values_list("membership__user__email", flat=True)) == {
        "membre@demo.portevoix.org",
        "lucas.robin@demo.portevoix.org",
    }
    failed = in_progress.get(membership__user__email="lucas.robin@demo.portevoix.org")
    assert failed.attempt_count == 1
    assert failed.best_score is not None and failed.best_score < 80
    # Required before personalizing only: ambassadors can share at once.
    ambassador = Membership.objects.get(
        organization=demo_org, user__email="ambassadrice@demo.portevoix.org"
    )
    assert missing_required_courses(membership=ambassador, purpose="share") == []
    assert missing_required_courses(membership=ambassador, purpose="personalize") == []
    newcomer = Enrollment.objects.get(membership__user__email="membre@demo.portevoix.org")
    assert missing_required_courses(membership=newcomer.membership, purpose="share") == []
    assert len(missing_required_courses(membership=newcomer.membership, purpose="personalize")) == 1


def test_three_sessions(demo_org):
    extra_training.load(demo_org)
    now = clock.now()
    events = {e.kind + ("-past" if e.ends_at < now else ""): e for e in Event.objects.all()}
    assert set(events) == {"coaching", "social_media_week", "coaching-past"}
    coaching, workshop, past = (
        events["coaching"],
        events["social_media_week"],
        events["coaching-past"],
    )
    assert coaching.video_url.startswith("https://")
    assert coaching.coach is not None
    assert coaching.coach.user.email == "community@demo.portevoix.org"
    assert workshop.capacity == 12 and workshop.place
    workshop_regs = Registration.objects.filter(event=workshop)
    assert workshop_regs.filter(status="registered").count() == 12
    assert list(
        workshop_regs.filter(status="waitlisted")
        .order_by("position")
        .values_list("position", flat=True)
    ) == [1, 2]
    marks = list(Registration.objects.filter(event=past).values_list("attended", flat=True))
    assert len(marks) == 5 and marks.count(True) == 4 and marks.count(False) == 1
    assert not Registration.objects.filter(reminded_at__isnull=True).exists()
    assert mail.outbox == []  # the demo emails nobody


def test_load_is_idempotent_and_works_without_the_demo_people():
    org = factories.make_org()
    extra_training.load(org)
    extra_training.load(org)
    assert Course.objects.filter(organization=org).count() == 2
    assert Event.objects.filter(organization=org).count() == 3
    assert not Certificate.objects.filter(organization=org).exists()


def test_load_without_an_administrator_does_nothing():
    org = factories.make_org()
    Membership.objects.filter(organization=org).update(is_active=False)  # the only admin
    extra_training.load(org)
    assert not Course.objects.filter(organization=org).exists()


# The training part on the real demo organization: tests/demo/test_load_demo.py (it shares
# the module's one load of the demo).
