from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.surveys import services
from portevoix.surveys.models import Kind
from tests import factories

Q = services.QuestionData


def default_questions() -> list[services.QuestionData]:
    return [
        services.enps_preset(),
        Q(kind=Kind.SCALE5, text="Les contenus sont-ils utiles ?"),
        Q(kind=Kind.SINGLE, text="Réseau préféré", choices=["LinkedIn", "Bluesky"]),
        Q(kind=Kind.MULTIPLE, text="Sujets", choices=["Produit", "Emploi", "RSE"], required=False),
        Q(kind=Kind.TEXT, text="Une idée ?", required=False),
    ]


def make_survey(admin, *, anonymous=True, team=None, questions=None, days=7, launch=True):
    survey = services.survey_create(
        actor=admin,
        data=services.SurveyData(
            title="Baromètre",
            deadline=clock.now() + dt.timedelta(days=days),
            anonymous=anonymous,
            team_id=team.pk if team else None,
            questions=questions if questions is not None else default_questions(),
        ),
    )
    if launch:
        services.survey_launch(actor=admin, survey_id=survey.pk)
    return survey


def answers_for(survey, *, score=9, scale=4, single="LinkedIn", multiple=(), text=""):
    values = {}
    for q in survey.questions.all():
        values[q.pk] = {
            Kind.ENPS: str(score),
            Kind.SCALE5: str(scale),
            Kind.SCALE10: str(scale),
            Kind.SINGLE: single,
            Kind.MULTIPLE: list(multiple),
            Kind.TEXT: text,
        }[q.kind]
    return values


def answer(membership, survey, **kw):
    services.survey_answer(
        membership=membership, survey_id=survey.pk, answers=answers_for(survey, **kw)
    )


def ambassadors(org, n, team=None):
    people = [factories.make_member(org, ambassador=True) for _ in range(n)]
    if team is not None:
        for person in people:
            person.teams.add(team)
    return people


@pytest.fixture
def team(admin):
    return account_services.team_create(actor=admin, name="Ventes")
