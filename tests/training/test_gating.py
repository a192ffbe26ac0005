"""Course-required gating: `missing_required_courses`, the contract governance relies on."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portevoix.training import services
from portevoix.training.selectors import missing_required_courses
from tests import factories
from tests.training.conftest import answers, make_course

pytestmark = pytest.mark.django_db


def missing(membership, purpose):
    return [c.title for c in missing_required_courses(membership=membership, purpose=purpose)]


def test_nothing_required_nothing_missing(admin, ambassador):
    make_course(admin)  # published, required for nothing
    assert missing(ambassador, "share") == []
    assert missing(ambassador, "personalize") == []


def test_share_requirement_applies_to_sharing_and_personalizing(admin, ambassador):
    make_course(admin, title="Charte", required_for="share")
    assert missing(ambassador, "share") == ["Charte"]
    assert missing(ambassador, "personalize") == ["Charte"]


def test_personalize_requirement_applies_to_personalizing_only(admin, ambassador):
    make_course(admin, title="Personnaliser", required_for="personalize")
    assert missing(ambassador, "share") == []
    assert missing(ambassador, "personalize") == ["Personnaliser"]


def test_both_requirements_together(admin, ambassador):
    share = make_course(admin, title="A-Partager", required_for="share")
    make_course(admin, title="B-Personnaliser", required_for="personalize")
    assert missing(ambassador, "personalize") == ["A-Partager", "B-Personnaliser"]
    services.quiz_submit(membership=ambassador, course=share, answers=answers(share))
    assert missing(ambassador, "share") == []
    assert missing(ambassador, "personalize") == ["B-Personnaliser"]


def test_passing_is_what_counts(admin, ambassador):
    course = make_course(admin, title="Charte", required_for="share")
    for lesson in course.lessons.all():
        services.lesson_complete(membership=ambassador, lesson=lesson)
    services.quiz_submit(membership=ambassador, course=course, answers=answers(course, wrong=2))
    assert missing(ambassador, "share") == ["Charte"]  # read everything, failed the quiz
    services.quiz_submit(membership=ambassador, course=course, answers=answers(course))
    assert missing(ambassador, "share") == []


def test_a_pass_of_a_translation_counts(admin, ambassador):
    fr = make_course(admin, title="Bien partager", required_for="share")
    en = make_course(admin, title="Sharing well", language="en", translation_of=fr)
    with translation.override("en"):
        assert missing(ambassador, "share") == ["Sharing well"]  # the reader's language
    with translation.override("fr"):
        assert missing(ambassador, "share") == ["Bien partager"]
    services.quiz_submit(membership=ambassador, course=en, answers=answers(en))
    assert missing(ambassador, "share") == []
    assert missing(ambassador, "personalize") == []


def test_a_required_translation_is_satisfied_by_the_original(admin, ambassador):
    fr = make_course(admin, title="Bien partager")
    make_course(admin, title="Sharing well", language="en", translation_of=fr, required_for="share")
    assert len(missing(ambassador, "share")) == 1
    services.quiz_submit(membership=ambassador, course=fr, answers=answers(fr))
    assert missing(ambassador, "share") == []


def test_drafts_are_not_required_and_revoked_certificates_do_not_count(admin, ambassador):
    course = make_course(admin, title="Charte", required_for="share")
    result = services.quiz_submit(membership=ambassador, course=course, answers=answers(course))
    assert result.certificate is not None
    services.certificate_revoke(actor=admin, certificate=result.certificate, reason="")
    assert missing(ambassador, "share") == ["Charte"]
    services.course_unpublish(actor=admin, course=course)
    assert missing(ambassador, "share") == []


def test_other_organizations_do_not_interfere(admin, ambassador, other_org):
    foreign_admin = factories.make_member(other_org, "admin")
    foreign = make_course(foreign_admin, title="Ailleurs", required_for="share")
    assert missing(ambassador, "share") == []
    make_course(admin, title="Ici", required_for="share")
    services.quiz_submit(membership=foreign_admin, course=foreign, answers=answers(foreign))
    assert missing(ambassador, "share") == ["Ici"]
    assert missing(foreign_admin, "share") == []


def test_unknown_purpose_is_a_programming_error(ambassador):
    with pytest.raises(ValueError):
        missing_required_courses(membership=ambassador, purpose="publish")


def test_two_queries_whatever_the_number_of_courses(admin, ambassador):
    for n in range(4):
        course = make_course(admin, title=f"C{n}", required_for="share" if n % 2 else "personalize")
        if n == 1:
            services.quiz_submit(membership=ambassador, course=course, answers=answers(course))
    with CaptureQueriesContext(connection) as ctx:
        result = missing_required_courses(membership=ambassador, purpose="personalize")
    assert [c.title for c in result] == ["C0", "C2", "C3"]
    assert len(ctx.captured_queries) <= 2
