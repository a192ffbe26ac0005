"""Creating, editing and launching: who may, what is checked, who is told."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.notifications.models import Notification
from portevoix.surveys import services
from portevoix.surveys.models import Kind, State
from tests.surveys.conftest import Q, ambassadors, make_survey

pytestmark = pytest.mark.django_db


def test_only_survey_managers_create_and_launch(admin, ambassador, member):
    for who in (ambassador, member):
        with pytest.raises(PermissionDenied):
            make_survey(who, launch=False)
    survey = make_survey(admin, launch=False)
    with pytest.raises(PermissionDenied):
        services.survey_launch(actor=ambassador, survey_id=survey.pk)
    services.survey_launch(actor=admin, survey_id=survey.pk)
    survey.refresh_from_db()
    assert survey.state == State.OPEN and survey.launched_at is not None


def test_another_organizations_survey_is_not_found(admin, outsider):
    survey = make_survey(admin, launch=False)
    # The outsider administers their own organization.
    with pytest.raises(NotFound):
        services.survey_launch(actor=outsider, survey_id=survey.pk)


def test_the_survey_is_checked(admin):
    with pytest.raises(DomainError) as caught:
        services.survey_create(
            actor=admin,
            data=services.SurveyData(
                title=" ",
                deadline=clock.now() - dt.timedelta(hours=1),
                questions=[Q(kind=Kind.SINGLE, text="?", choices=["only one"])],
            ),
        )
    assert {"title", "deadline", "questions.0.choices"} <= set(caught.value.field_errors)


def test_a_launched_survey_cannot_change(admin):
    survey = make_survey(admin)
    with pytest.raises(DomainError):
        services.survey_update(
            actor=admin,
            survey_id=survey.pk,
            data=services.SurveyData(title="x", deadline=survey.deadline, anonymous=False),
        )
    with pytest.raises(DomainError):
        services.survey_launch(actor=admin, survey_id=survey.pk)


def test_the_enps_preset_is_a_0_to_10_recommendation_question():
    preset = services.enps_preset()
    assert preset.kind == Kind.ENPS and "recommend" in preset.text


def test_the_launch_notifies_the_audience_once(
    admin, org, team, django_capture_on_commit_callbacks
):
    people = ambassadors(org, 3)
    in_team = ambassadors(org, 2, team)
    with django_capture_on_commit_callbacks(execute=True):
        survey = make_survey(admin, team=team)
    told = set(Notification.objects.filter(kind="survey").values_list("membership_id", flat=True))
    assert told == {p.pk for p in in_team}
    assert not told & {p.pk for p in people}
    assert Notification.objects.get(membership=in_team[0]).url == f"/surveys/{survey.pk}/"
