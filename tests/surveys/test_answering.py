"""Answering: once, in time, in the audience; points once; the reminder once; the close."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.notifications.models import Notification
from portevoix.recognition.models import PointEntry
from portevoix.surveys import selectors, services
from portevoix.surveys.models import Participation, Response, State, Survey
from tests.surveys.conftest import ambassadors, answer, answers_for, make_survey

pytestmark = pytest.mark.django_db


def test_a_member_answers_once_and_earns_points_once(admin, ambassador):
    survey = make_survey(admin, anonymous=False)
    answer(ambassador, survey, text="Plus de vidéos")
    with pytest.raises(Conflict):
        answer(ambassador, survey)
    assert Participation.objects.filter(survey=survey).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
    points = PointEntry.objects.filter(membership=ambassador, rule="survey_answered")
    assert list(points.values_list("lifetime", "key")) == [
        (3, f"survey:{survey.pk}:{ambassador.pk}")
    ]
    assert selectors.open_surveys(membership=ambassador) == []


def test_a_named_survey_keeps_the_member_with_the_answers(admin, ambassador):
    survey = make_survey(admin, anonymous=False)
    answer(ambassador, survey)
    assert Response.objects.get(survey=survey).membership_id == ambassador.pk


def test_answers_are_checked(admin, ambassador):
    survey = make_survey(admin)
    bad = answers_for(survey, score=11, single="MySpace")
    with pytest.raises(DomainError) as caught:
        services.survey_answer(membership=ambassador, survey_id=survey.pk, answers=bad)
    assert len(caught.value.field_errors) == 2
    assert not Participation.objects.exists()
    assert not PointEntry.objects.filter(rule="survey_answered").exists()


def test_after_the_deadline_the_survey_is_closed(admin, ambassador):
    survey = make_survey(admin)
    Survey.objects.filter(pk=survey.pk).update(deadline=clock.now() - dt.timedelta(minutes=1))
    with pytest.raises(DomainError, match="closed"):
        answer(ambassador, survey)
    assert services.surveys_close_due() == 1
    survey.refresh_from_db()
    assert survey.state == State.CLOSED
    assert services.surveys_close_due() == 0


def test_a_draft_or_another_audience_is_not_found(admin, ambassador, member, team):
    draft = make_survey(admin, launch=False)
    with pytest.raises(NotFound):
        answer(ambassador, draft)
    for_team = make_survey(admin, team=team)
    with pytest.raises(NotFound):
        answer(ambassador, for_team)
    # Not an ambassador: not in the "all ambassadors" audience.
    with pytest.raises(NotFound):
        answer(member, make_survey(admin))


def test_the_reminder_goes_once_to_those_who_have_not_answered(
    admin, org, django_capture_on_commit_callbacks
):
    people = ambassadors(org, 3)
    survey = make_survey(admin, days=3)
    answer(people[0], survey)
    early = clock.now() + dt.timedelta(hours=1)
    assert services.surveys_remind(now=early) == 0
    late = survey.deadline - dt.timedelta(hours=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_remind(now=late) == 1
        assert services.surveys_remind(now=late + dt.timedelta(minutes=5)) == 0
    reminded = Notification.objects.filter(dedupe_key=f"survey:{survey.pk}:remind")
    assert set(reminded.values_list("membership_id", flat=True)) == {p.pk for p in people[1:]}
    survey.refresh_from_db()
    assert survey.reminder_sent_at == late


def test_the_tick_reminds_then_closes(admin, org):
    ambassadors(org, 1)
    survey = make_survey(admin, days=1)
    after = survey.deadline + dt.timedelta(minutes=1)
    assert services.surveys_tick(now=after) == {"reminded": 0, "closed": 1}


def test_the_nav_link_shows_only_with_a_survey_to_answer(admin, ambassador):
    from portevoix.accounts.navigation import navigation_for

    def program(membership):
        return navigation_for(membership).outline()["program"]

    assert "surveys" not in program(ambassador)
    survey = make_survey(admin)
    from portevoix.surveys.selectors import nav

    nav.remember_open(ambassador.organization_id)  # on commit of the launch
    assert "surveys" in program(ambassador)
    answer(ambassador, survey)
    nav.forget_member(ambassador.organization_id, ambassador.pk)
    assert "surveys" not in program(ambassador)
    assert "surveys_manage" in program(admin)
