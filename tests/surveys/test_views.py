"""The pages: who opens what (owner admin, member, outsider), methods, the forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.core import clock
from portevoix.surveys.models import Participation, Question, State, Survey
from tests.surveys.conftest import answer, answers_for, make_survey

pytestmark = pytest.mark.django_db


def login(client, membership):
    client.force_login(membership.user)
    return client


def test_a_member_sees_answers_and_is_thanked(client, admin, ambassador):
    survey = make_survey(admin)
    login(client, ambassador)
    html = client.get(reverse("surveys:mine")).content.decode()
    assert survey.title in html
    page = client.get(reverse("surveys:answer", args=[survey.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "This survey is anonymous." in text and "<legend>" in text
    data = {f"q{pk}": value for pk, value in answers_for(survey, text="Bravo").items()}
    response = client.post(reverse("surveys:answer", args=[survey.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[survey.pk])
    assert Participation.objects.filter(survey=survey, membership=ambassador).exists()
    again = client.post(reverse("surveys:answer", args=[survey.pk]), data)
    assert again.status_code == 200 and "You already answered" in again.content.decode()
    assert Participation.objects.filter(survey=survey).count() == 1
    assert client.get(reverse("surveys:thanks", args=[survey.pk])).status_code == 200


def test_a_wrong_answer_shows_the_form_again(client, admin, ambassador):
    survey = make_survey(admin)
    response = login(client, ambassador).post(reverse("surveys:answer", args=[survey.pk]), {})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    assert not Participation.objects.exists()


def test_a_closed_survey_offers_no_form(client, admin, ambassador):
    survey = make_survey(admin)
    Survey.objects.filter(pk=survey.pk).update(deadline=clock.now() - dt.timedelta(minutes=1))
    html = login(client, ambassador).get(reverse("surveys:answer", args=[survey.pk]))
    assert "This survey is closed." in html.content.decode()
    assert '<form method="post" novalidate class="survey-form">' not in html.content.decode()


def test_an_outsider_gets_404_on_every_survey_page(client, admin, outsider):
    survey = make_survey(admin)
    login(client, outsider)
    for name in ("answer", "thanks", "edit", "results", "export"):
        assert client.get(reverse(f"surveys:{name}", args=[survey.pk])).status_code == 404
    for name in ("launch", "close"):
        assert client.post(reverse(f"surveys:{name}", args=[survey.pk])).status_code == 404
        assert client.get(reverse(f"surveys:{name}", args=[survey.pk])).status_code == 404


def test_a_member_may_not_manage(client, admin, ambassador):
    survey = make_survey(admin)
    login(client, ambassador)
    assert client.get(reverse("surveys:manage")).status_code == 403
    assert client.get(reverse("surveys:new")).status_code == 403
    assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 403
    assert client.get(reverse("surveys:export", args=[survey.pk])).status_code == 403
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 403


def test_wrong_methods(client, admin, ambassador):
    survey = make_survey(admin, launch=False)
    login(client, admin)
    assert client.get(reverse("surveys:launch", args=[survey.pk])).status_code == 405
    assert client.post(reverse("surveys:mine")).status_code == 405
    assert client.post(reverse("surveys:results", args=[survey.pk])).status_code == 405
    assert client.delete(reverse("surveys:answer", args=[survey.pk])).status_code == 405


def test_an_admin_writes_launches_and_reads_results(client, admin, ambassador, team):
    login(client, admin)
    assert client.get(reverse("surveys:new")).status_code == 200
    deadline = (clock.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("surveys:new"),
        {
            "title": "Pulse",
            "intro": "",
            "anonymous": "on",
            "team": "",
            "deadline": deadline,
            "add_enps": "on",
            "q0-kind": "single",
            "q0-text": "Format préféré",
            "q0-choices": "Vidéo\nTexte",
            "q0-required": "on",
            "q1-kind": "text",
            "q1-text": "Un mot ?",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get(title="Pulse")
    kinds = list(Question.objects.filter(survey=survey).values_list("kind", "required"))
    assert kinds == [("enps", True), ("single", True), ("text", False)]
    assert client.get(reverse("surveys:edit", args=[survey.pk])).status_code == 200
    assert client.post(reverse("surveys:launch", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.state == State.OPEN
    answer(ambassador, survey, single="Vidéo")
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.status_code == 200
    assert "shown from 5 answers on" in page.content.decode()
    assert "Pulse" in client.get(reverse("surveys:manage")).content.decode()
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.state == State.CLOSED


def test_the_editor_shows_question_errors(client, admin):
    login(client, admin)
    deadline = (clock.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("surveys:new"),
        {
            "title": "X",
            "deadline": deadline,
            "team": "",
            "q0-kind": "single",
            "q0-text": "?",
            "q0-choices": "une seule",
        },
    )
    assert response.status_code == 400
    assert "Give between 2 and" in response.content.decode()
    assert not Survey.objects.exists()


def test_a_member_outside_the_audience_gets_404(client, admin, ambassador, team):
    survey = make_survey(admin, team=team)
    login(client, ambassador)
    assert client.get(reverse("surveys:answer", args=[survey.pk])).status_code == 404
    assert client.post(reverse("surveys:answer", args=[survey.pk]), {}).status_code == 404
    assert survey.title not in client.get(reverse("surveys:mine")).content.decode()
