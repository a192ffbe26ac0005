"""Managing the rewards catalogue through the API (what /rewards/manage/ offers): the
settings (audited) and the rewards, for `rewards.manage` only; the page's validation;
another organization's reward 404; scopes."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import AuditEntry
from portevoix.rewards.models import Reward
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

REWARD = {"kind": "gift", "title": "Mug", "cost": 30}


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_an_admin_sets_the_catalogue(admin, ambassador):
    client = api(admin)
    settings = {"monthly_budget": 500, "first_needs_approval": False, "of_value": True}
    refused = client.put("/rewards/settings", settings)
    assert refused.status_code == 400 and "disclosure" in refused.json()["errors"]
    saved = client.put("/rewards/settings", {**settings, "disclosure": "#salarié"})
    assert saved.status_code == 200 and saved.json()["monthly_budget"] == 500
    assert client.get("/rewards/settings").json()["disclosure"] == "#salarié"
    assert AuditEntry.objects.filter(action="rewards.settings").count() == 1
    created = client.post("/rewards/catalogue", {**REWARD, "stock": 5})
    assert created.status_code == 201, created.content
    reward_id = created.json()["id"]
    assert [o["id"] for o in api(ambassador).get("/rewards").json()["offers"]] == [reward_id]
    changed = client.put(f"/rewards/catalogue/{reward_id}", {**REWARD, "active": False})
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["stock"] is None  # PUT replaces every field
    assert api(ambassador).get("/rewards").json()["offers"] == []
    assert [r["id"] for r in client.get("/rewards/catalogue").json()] == [reward_id]


def test_the_pages_validation_applies(admin):
    client = api(admin)
    assert client.post("/rewards/catalogue", {**REWARD, "kind": "car"}).status_code == 400
    assert client.post("/rewards/catalogue", {**REWARD, "team_ids": [999999]}).status_code == 400
    assert client.post("/rewards/catalogue", {**REWARD, "cost": 0}).status_code == 422
    assert client.post("/rewards/catalogue", {**REWARD, "stock": -1}).status_code == 422
    assert (
        client.put("/rewards/settings", {"first_needs_approval": 1, "of_value": False}).status_code
        == 422
    )
    assert not Reward.objects.exists()


def test_others_are_refused_and_outsiders_get_404(admin, ambassador, outsider):
    reward_id = api(admin).post("/rewards/catalogue", REWARD).json()["id"]
    member = api(ambassador)
    assert member.get("/rewards/catalogue").status_code == 403
    assert member.post("/rewards/catalogue", REWARD).status_code == 403
    assert member.put(f"/rewards/catalogue/{reward_id}", REWARD).status_code == 403
    settings = {"first_needs_approval": False, "of_value": False}
    assert member.put("/rewards/settings", settings).status_code == 403
    body = {**REWARD, "title": "Pris"}
    assert api(outsider).put(f"/rewards/catalogue/{reward_id}", body).status_code == 404
    assert Reward.objects.get().title == "Mug"


def test_scopes(admin):
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    assert read_only.get("/rewards/settings").status_code == 200
    refused = read_only.post("/rewards/catalogue", REWARD)
    assert refused.status_code == 403 and "rewards:write" in refused.json()["detail"]
    assert not Reward.objects.exists()
