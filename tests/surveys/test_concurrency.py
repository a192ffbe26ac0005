"""A double submit (two requests at once) answers once and awards once, on SQLite and on
PostgreSQL (real threads, each with its own connection; set DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

import pytest

from portevoix.core.errors import Conflict
from portevoix.recognition.models import PointEntry
from portevoix.surveys.models import AnswerBuffer, Participation, Response
from tests import factories
from tests.surveys.conftest import answer, make_survey
from tests.training.test_concurrency import _run_concurrently

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [True, False])
def test_a_double_submit_answers_once(anonymous):
    org = factories.make_org()
    admin = factories.make_member(org, "admin")
    ambassador = factories.make_member(org, ambassador=True)
    survey = make_survey(admin, anonymous=anonymous)
    outcomes: list[str] = []

    def submit():
        try:
            answer(ambassador, survey)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    _run_concurrently([submit] * 4)
    assert sorted(outcomes) == ["conflict"] * 3 + ["ok"]
    assert Participation.objects.filter(survey=survey).count() == 1
    assert PointEntry.objects.filter(rule="survey_answered").count() == 1
    if anonymous:
        assert AnswerBuffer.objects.get(survey=survey).pending_count == 1
    else:
        assert Response.objects.filter(survey=survey).count() == 1
