"""Results: eNPS, the group-of-five rule, "other", free texts, the CSV export."""

from __future__ import annotations

import pytest

from portevoix.surveys import selectors, services
from portevoix.surveys.selectors.results import neutralize
from tests.surveys.conftest import ambassadors, answer, make_survey

pytestmark = pytest.mark.django_db


def test_enps_is_promoters_minus_detractors():
    assert selectors.enps([]) is None
    assert selectors.enps([10, 9, 8, 7, 6, 0]) == 0
    assert selectors.enps([10, 10, 9, 8, 3]) == 40
    assert selectors.enps([0, 1, 2, 6]) == -100


def _by_kind(found):
    return {r.question.kind: r for r in found.questions}


def test_an_anonymous_survey_shows_nothing_below_five_answers(admin, org):
    people = ambassadors(org, 5)
    survey = make_survey(admin)
    for person in people[:4]:
        answer(person, survey, text="secret")
    services.survey_close(actor=admin, survey_id=survey.pk)
    found = selectors.results(membership=admin, pk=survey.pk)
    assert found.participants == 4 and not found.shown
    assert all(not r.shown and not r.texts for r in found.questions)
    assert selectors.export_rows(membership=admin, pk=survey.pk) == []


def test_results_with_enps_bars_texts_and_teams(admin, org, team):
    in_team = ambassadors(org, 5, team)
    others = ambassadors(org, 2)
    survey = make_survey(admin)
    scores = [10, 9, 9, 7, 3, 10, 2]
    for person, score in zip(in_team + others, scores, strict=True):
        answer(person, survey, score=score, single="Bluesky", text=f"texte {score}")
    services.survey_close(actor=admin, survey_id=survey.pk)
    found = selectors.results(membership=admin, pk=survey.pk)
    assert found.shown and found.written == 7
    by_kind = _by_kind(found)
    assert by_kind["enps"].enps == selectors.enps(scores) == 29  # (4 - 2) / 7
    assert [b.count for b in by_kind["single"].bars] == [0, 7]
    assert sorted(by_kind["text"].texts) == sorted(f"texte {s}" for s in scores)
    # The multiple choice question was left out by everyone: fewer than five, not shown.
    assert not by_kind["multiple"].shown
    # "Other" would have 2 answers: the team of five joins it, and one group is no breakdown.
    assert by_kind["enps"].groups == []


def test_team_breakdown_keeps_teams_of_five_and_hides_a_small_other(admin, org, team):
    from portevoix.accounts import services as account_services

    second = account_services.team_create(actor=admin, name="Support")
    people = ambassadors(org, 5, team) + ambassadors(org, 6, second)
    survey = make_survey(admin)
    for person in people:
        answer(person, survey, score=9)
    services.survey_close(actor=admin, survey_id=survey.pk)
    groups = _by_kind(selectors.results(membership=admin, pk=survey.pk))["enps"].groups
    assert sorted((g.label, g.count, g.value) for g in groups) == [
        ("Support", 6, "100"),
        ("Ventes", 5, "100"),
    ]


def test_the_export_neutralizes_formulas(client, admin, org):
    assert [neutralize(v) for v in ("=1+1", "+33", "-2", "@SUM", "\tx", "\rx", "ok", 7)] == [
        "'=1+1",
        "'+33",
        "'-2",
        "'@SUM",
        "'\tx",
        "'\rx",
        "ok",
        7,
    ]
    person = ambassadors(org, 1)[0]
    survey = make_survey(admin, anonymous=False)
    answer(person, survey, text='=HYPERLINK("http://evil.example","clic")')
    client.force_login(admin.user)
    response = client.get(f"/surveys/manage/{survey.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
    # A named survey's export names the respondent.
    assert body.splitlines()[0].startswith("Respondent,Team,")


def test_other_is_shown_beside_a_team_once_it_has_five(admin, org, team):
    people = ambassadors(org, 5, team) + ambassadors(org, 5)
    survey = make_survey(admin)
    for n, person in enumerate(people):
        answer(person, survey, score=10 if n < 5 else 0)
    services.survey_close(actor=admin, survey_id=survey.pk)
    groups = _by_kind(selectors.results(membership=admin, pk=survey.pk))["enps"].groups
    assert [(g.label, g.count, g.value) for g in groups] == [
        ("Ventes", 5, "100"),
        ("Other", 5, "-100"),
    ]
