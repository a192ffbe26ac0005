"""Setting the program's goals through the API (what /analytics/goals/ offers): admins and
analysts set, replace and archive goals, audited; others 403; another organization's goal
404; the page's validation; scopes and methods."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.analytics.models import Goal
from portevoix.core import clock
from portevoix.governance.models import AuditEntry
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def _payload(**overrides: object) -> dict[str, object]:
    today = clock.now().date()
    payload: dict[str, object] = {
        "name": "10 000 clics",
        "metric": "clicks",
        "target": "10000",
        "start": today.isoformat(),
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
    }
    payload.update(overrides)
    return payload


def test_an_admin_sets_replaces_and_archives_a_goal(admin):
    client = api(admin)
    created = client.post("/goals", _payload())
    assert created.status_code == 201, created.content
    goal = Goal.objects.get()
    body = created.json()
    assert body["id"] == goal.pk and body["metric"] == "clicks" and body["status"]
    replaced = client.put(f"/goals/{goal.pk}", _payload(name="20 000 clics", target="20000"))
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["name"] == "20 000 clics"
    assert [g["id"] for g in client.get("/goals").json()["goals"]] == [goal.pk]
    assert client.post(f"/goals/{goal.pk}/archive").status_code == 204
    assert client.get("/goals").json()["goals"] == []
    assert client.put(f"/goals/{goal.pk}", _payload()).status_code == 404  # archived
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[0] == "analytics.goal_set" and actions[-1] == "analytics.goal_archived"
    assert len(actions) == 3


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"metric": "engagement_rate", "target": "150"}, 400),
        ({"deadline": "2000-01-01"}, 400),
        ({"metric": "likes"}, 422),
        ({"target": "0"}, 422),
        ({"start": "0"}, 422),
        ({"visible_to_ambassadors": "yes"}, 422),
    ],
)
def test_the_pages_validation_applies(admin, overrides, status):
    assert api(admin).post("/goals", _payload(**overrides)).status_code == status
    assert not Goal.objects.exists()


def test_members_are_refused_and_outsiders_get_404(admin, member, outsider):
    goal_id = api(admin).post("/goals", _payload()).json()["id"]
    assert api(member).post("/goals", _payload()).status_code == 403
    assert api(member).put(f"/goals/{goal_id}", _payload()).status_code == 403
    assert api(member).post(f"/goals/{goal_id}/archive").status_code == 403
    assert api(outsider).put(f"/goals/{goal_id}", _payload(name="Pris")).status_code == 404
    assert api(outsider).post(f"/goals/{goal_id}/archive").status_code == 404
    goal = Goal.objects.get()
    assert goal.name == "10 000 clics" and goal.archived_at is None


def test_methods_and_scopes(admin):
    goal_id = api(admin).post("/goals", _payload()).json()["id"]
    assert api(admin).get(f"/goals/{goal_id}/archive").status_code == 405
    assert api(admin).delete(f"/goals/{goal_id}").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    refused = read_only.post(f"/goals/{goal_id}/archive")
    assert refused.status_code == 403 and "analytics:write" in refused.json()["detail"]
    assert Goal.objects.get().archived_at is None
