"""The rewards catalogue through the API (the `rewards` area): a member asks for a reward
and cancels a waiting request, the administrators approve, give or refuse; points held
and given back as on the pages; another member's request and another organization's
reward are 404; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.rewards.models import Redemption, RedemptionStatus
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_member
from tests.rewards.conftest import configure, give_points, make_reward, spendable

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_a_member_asks_for_a_reward_and_the_admin_gives_it(admin, ambassador, reward):
    configure(admin, first_needs_approval=True)
    give_points(ambassador, 45)
    client = api(ambassador)
    offers = client.get("/rewards").json()
    assert offers["balance"] == 45 and offers["needs_approval"] is True
    assert [(o["id"], o["affordable"]) for o in offers["offers"]] == [(reward.pk, True)]
    asked = client.post(f"/rewards/{reward.pk}/redeem")
    assert asked.status_code == 201, asked.content
    redemption = Redemption.objects.get()
    assert asked.json()["id"] == redemption.pk and asked.json()["status"] == "pending"
    assert spendable(ambassador) == 15  # held
    assert [r["id"] for r in client.get("/rewards/redemptions/mine").json()] == [redemption.pk]
    answers = api(admin)
    assert [r["id"] for r in answers.get("/rewards/redemptions").json()] == [redemption.pk]
    approved = answers.post(f"/rewards/redemptions/{redemption.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    given = answers.post(f"/rewards/redemptions/{redemption.pk}/fulfil")
    assert given.status_code == 200 and given.json()["status"] == "fulfilled"
    assert answers.get("/rewards/redemptions").json() == []
    # Answered: it cannot be cancelled any more.
    assert client.post(f"/rewards/redemptions/{redemption.pk}/cancel").status_code == 409


def test_cancel_and_refuse_give_the_points_back(admin, ambassador, reward):
    configure(admin, first_needs_approval=True)
    give_points(ambassador, 60)
    client = api(ambassador)
    first = client.post(f"/rewards/{reward.pk}/redeem").json()["id"]
    cancelled = client.post(f"/rewards/redemptions/{first}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert spendable(ambassador) == 60
    second = client.post(f"/rewards/{reward.pk}/redeem").json()["id"]
    answers = api(admin)
    assert answers.post(f"/rewards/redemptions/{second}/refuse", {"reason": ""}).status_code == 422
    refused = answers.post(f"/rewards/redemptions/{second}/refuse", {"reason": "Rupture"})
    assert refused.status_code == 200
    assert (refused.json()["status"], refused.json()["reason"]) == ("refused", "Rupture")
    assert spendable(ambassador) == 60


def test_what_the_caller_may_not_do(admin, ambassador, org, outsider, reward):
    configure(admin, first_needs_approval=True)
    give_points(ambassador, 30)
    pk = api(ambassador).post(f"/rewards/{reward.pk}/redeem").json()["id"]
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    assert api(colleague).post(f"/rewards/redemptions/{pk}/cancel").status_code == 404
    assert api(ambassador).get("/rewards/redemptions").status_code == 403
    assert api(ambassador).post(f"/rewards/redemptions/{pk}/approve").status_code == 403
    other = api(outsider)
    assert other.post(f"/rewards/{reward.pk}/redeem").status_code == 404
    assert other.post(f"/rewards/redemptions/{pk}/approve").status_code == 404
    assert other.post(f"/rewards/redemptions/{pk}/refuse", {"reason": "Non"}).status_code == 404
    assert other.post(f"/rewards/redemptions/{pk}/cancel").status_code == 404
    assert Redemption.objects.get().status == RedemptionStatus.PENDING
    poor = make_reward(admin, cost=3000, title="Vélo")
    assert api(ambassador).post(f"/rewards/{poor.pk}/redeem").status_code == 400  # too few points
    assert Redemption.objects.count() == 1


def test_methods_and_scopes(admin, ambassador, reward):
    give_points(ambassador, 30)
    client = api(ambassador)
    assert client.get(f"/rewards/{reward.pk}/redeem").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=ambassador, name="ro", can_write=False).secret
    )
    assert read_only.get("/rewards").status_code == 200
    refused = read_only.post(f"/rewards/{reward.pk}/redeem")
    assert refused.status_code == 403 and "rewards:write" in refused.json()["detail"]
    assert not Redemption.objects.exists()
