"""How one appears, set through the API (what the recognition page's choice does): by
name, under a pseudonym, or not at all; the board follows; the page's validation; scopes
and methods (it is always the caller's own profile: no id to guess)."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.models import AmbassadorProfile
from portevoix.core import clock
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.recognition.conftest import award

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_the_member_chooses_how_they_appear_and_the_board_follows(org):
    me = factories.make_member(org, ambassador=True)
    me.user.full_name = "Alice Martin"
    me.user.save(update_fields=["full_name"])
    award(me, "comment", "alice:c", count=2, network="", at=clock.now())
    viewer = factories.make_member(org, ambassador=True)
    client = api(me)
    chosen = client.put(
        "/recognition/me/visibility", {"visibility": "pseudonym", "pseudonym": "Renarde"}
    )
    assert chosen.status_code == 200, chosen.content
    assert chosen.json() == {"visibility": "pseudonym", "pseudonym": "Renarde"}
    board = api(viewer).get("/recognition/board", period="all").json()
    assert [(row["name"], row["pseudonymous"]) for row in board] == [("Renarde", True)]
    hidden = client.put("/recognition/me/visibility", {"visibility": "hidden"})
    assert hidden.status_code == 200
    assert api(viewer).get("/recognition/board", period="all").json() == []
    assert api(me).get("/recognition/me").json()["lifetime"] == 10  # still theirs
    assert AmbassadorProfile.objects.get(membership=me).visibility == "hidden"


def test_the_choice_is_validated(org, ambassador):
    client = api(ambassador)
    refused = client.put("/recognition/me/visibility", {"visibility": ""})
    assert refused.status_code == 400 and "visibility" in refused.json()["errors"]
    assert client.put("/recognition/me/visibility", {"visibility": "x" * 21}).status_code == 422
    too_long = {"visibility": "pseudonym", "pseudonym": "p" * 200}
    assert client.put("/recognition/me/visibility", too_long).status_code == 422
    assert client.post("/recognition/me/visibility", {"visibility": "name"}).status_code == 405


def test_scopes(ambassador):
    read_only = ApiClient(
        account_services.api_token_create(membership=ambassador, name="ro", can_write=False).secret
    )
    refused = read_only.put("/recognition/me/visibility", {"visibility": "hidden"})
    assert refused.status_code == 403 and "recognition:write" in refused.json()["detail"]
    profile = AmbassadorProfile.objects.filter(membership=ambassador).first()
    assert profile is None or profile.visibility != "hidden"
