"""The API answers the boards as the pages do: never the hidden, except to themselves."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.recognition import services
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.recognition.conftest import award

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def person(org, name, points, visibility):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    award(membership, "comment", f"{name}:c", count=points // 5, network="", at=clock.now())
    services.preference_set(membership=membership, visibility=visibility)
    return membership


def test_the_board_never_has_the_hidden_but_they_see_themselves(org):
    person(org, "Alice Visible", 20, "name")
    hidden = person(org, "Chloé Cachée", 30, "hidden")
    for period in ("week", "month", "quarter", "all"):
        response = api(hidden).get("/recognition/board", period=period)
        assert response.status_code == 200
        assert response.json() == [
            {
                "rank": 1,
                "name": "Alice Visible",
                "points": 20,
                "is_me": False,
                "pseudonymous": False,
            }
        ]
    teams = api(hidden).get("/recognition/teams")
    assert teams.status_code == 200 and "Chloé" not in teams.content.decode()
    mine = api(hidden).get("/recognition/me").json()
    assert mine["lifetime"] == 30
    assert mine["standings"][-1] == {
        "period": "all",
        "points": 30,
        "rank": 1,
        "visibility": "hidden",
    }


def test_a_team_of_another_organization_is_a_404(org, admin, outsider):
    theirs = account_services.team_create(actor=outsider, name="Globex")
    assert api(admin).get("/recognition/board", team_id=theirs.pk).status_code == 404
    mine = account_services.team_create(actor=admin, name="Paris")
    assert api(admin).get("/recognition/board", team_id=mine.pk).json() == []
    assert api(admin).get("/recognition/board", period="decade").status_code == 422
    assert ApiClient(None).get("/recognition/board").status_code == 401
