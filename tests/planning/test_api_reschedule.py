"""The calendar's "Move to" through the API: POST /content/{id}/reschedule moves an item
to a new publish-at keeping the length of its live period, with the page's rules (readers
of the calendar who may edit the item; not into the past; another organization's: 404);
scopes and methods."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.content.models import State
from tests.api.conftest import ApiClient, token_for

from .conftest import at

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_a_manager_moves_an_item_keeping_its_live_period(manager, calendar_data, month):
    item = calendar_data["spanning"]
    length = item.expire_at - item.publish_at
    target = at(month + dt.timedelta(days=20), 10)
    moved = api(manager).post(f"/content/{item.pk}/reschedule", {"publish_at": target.isoformat()})
    assert moved.status_code == 200, moved.content
    item.refresh_from_db()
    assert item.publish_at == target and item.expire_at - item.publish_at == length
    assert item.state == State.APPROVED
    assert moved.json()["id"] == item.pk


def test_refusals_by_rule_role_organization_and_method(
    manager, approver, outsider, ambassador, calendar_data
):
    item = calendar_data["spanning"]
    before = item.publish_at
    url = f"/content/{item.pk}/reschedule"
    future = {"publish_at": "2099-01-01T09:00:00+00:00"}
    past = api(manager).post(url, {"publish_at": "2001-01-01T09:00:00+00:00"})
    assert past.status_code == 400 and "publish_at" in past.json()["errors"]
    assert api(manager).post(url, {"publish_at": "2099-01-01T09:00:00"}).status_code == 422
    assert api(outsider).post(url, future).status_code == 404
    assert api(ambassador).post(url, future).status_code == 403
    assert api(approver).post(url, future).status_code == 403  # sees the calendar, not editing
    assert api(manager).get(url).status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=manager, name="ro", can_write=False).secret
    )
    refused = read_only.post(url, future)
    assert refused.status_code == 403 and "content:write" in refused.json()["detail"]
    item.refresh_from_db()
    assert item.publish_at == before
