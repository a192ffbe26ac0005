"""Program surveys through the API (the `surveys` area): a member of the audience lists,
reads and answers once (an anonymous survey keeps no link to the person, as on the page);
those who run surveys launch and close them; outside the audience or another
organization: 404; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.surveys.models import Participation, State, Survey
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.surveys.conftest import answers_for, make_survey

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def _body(survey, **kw) -> dict[str, object]:
    return {"answers": {str(k): v for k, v in answers_for(survey, **kw).items()}}


def test_a_member_of_the_audience_answers_once(admin, ambassador):
    survey = make_survey(admin)
    client = api(ambassador)
    assert [s["id"] for s in client.get("/surveys").json()] == [survey.pk]
    read = client.get(f"/surveys/{survey.pk}").json()
    assert read["anonymous"] is True and read["answered"] is False
    kinds = [q["kind"] for q in read["questions"]]
    assert kinds == ["enps", "scale5", "single", "multiple", "text"]
    answered = client.post(f"/surveys/{survey.pk}/answers", _body(survey, multiple=["RSE"]))
    assert answered.status_code == 204, answered.content
    assert answered.content == b""
    assert Participation.objects.filter(survey=survey, membership=ambassador).count() == 1
    assert client.get("/surveys").json() == []
    assert client.get(f"/surveys/{survey.pk}").json()["answered"] is True
    assert client.post(f"/surveys/{survey.pk}/answers", _body(survey)).status_code == 409


def test_answers_are_checked_as_on_the_page(admin, ambassador):
    survey = make_survey(admin)
    client = api(ambassador)
    enps = survey.questions.get(kind="enps")
    wrong = _body(survey)
    wrong["answers"][str(enps.pk)] = 11  # type: ignore[index]
    refused = client.post(f"/surveys/{survey.pk}/answers", wrong)
    assert refused.status_code == 400 and f"q{enps.pk}" in refused.json()["errors"]
    missing = client.post(f"/surveys/{survey.pk}/answers", {"answers": {}})
    assert missing.status_code == 400
    assert (
        client.post(f"/surveys/{survey.pk}/answers", {"answers": {"1": {"a": 1}}}).status_code
        == 422
    )
    assert not Participation.objects.exists()


def test_outside_the_audience_or_the_organization_is_404(admin, member, outsider, team):
    survey = make_survey(admin, team=team)
    for who in (member, outsider):
        client = api(who)
        assert client.get(f"/surveys/{survey.pk}").status_code == 404
        assert client.post(f"/surveys/{survey.pk}/answers", _body(survey)).status_code == 404
    draft = make_survey(admin, launch=False)
    ambassador = factories.make_member(admin.organization, ambassador=True)
    assert api(ambassador).get(f"/surveys/{draft.pk}").status_code == 404
    assert not Participation.objects.exists()


def test_those_who_run_surveys_launch_and_close_them(admin, ambassador, outsider):
    draft = make_survey(admin, launch=False)
    assert api(ambassador).post(f"/surveys/{draft.pk}/launch").status_code == 403
    assert api(outsider).post(f"/surveys/{draft.pk}/launch").status_code == 404
    launched = api(admin).post(f"/surveys/{draft.pk}/launch")
    assert launched.status_code == 200 and launched.json()["state"] == State.OPEN
    assert api(admin).post(f"/surveys/{draft.pk}/launch").status_code == 400  # open already
    assert api(outsider).post(f"/surveys/{draft.pk}/close").status_code == 404
    closed = api(admin).post(f"/surveys/{draft.pk}/close")
    assert closed.status_code == 200 and closed.json()["state"] == State.CLOSED
    assert Survey.objects.get(pk=draft.pk).closed_at is not None


def test_scopes_and_methods(admin, ambassador):
    survey = make_survey(admin)
    read_only = ApiClient(
        account_services.api_token_create(membership=ambassador, name="ro", can_write=False).secret
    )
    assert read_only.get("/surveys").status_code == 200
    refused = read_only.post(f"/surveys/{survey.pk}/answers", _body(survey))
    assert refused.status_code == 403 and "surveys:write" in refused.json()["detail"]
    assert api(ambassador).get(f"/surveys/{survey.pk}/answers").status_code == 405
    assert not Participation.objects.exists()
