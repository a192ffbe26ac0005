"""The analytics settings through the API (what /analytics/settings/ and the report
schedules page offer): the earned media value's rates and the mix target (audited), the
weekly and monthly reports' schedule; for their roles only; the page's validation; the
token's own organization; scopes."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import AuditEntry
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_member

pytestmark = pytest.mark.django_db

RATES = {
    "currency": "EUR",
    "cpm": {"linkedin": "25.50"},
    "cpc": "1.20",
    "per_engagement": "0.40",
    "mix_target": 30,
}


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_an_admin_sets_the_rates(admin, member):
    saved = api(admin).put("/analytics/settings", RATES)
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["currency"] == "EUR" and body["mix_target"] == 30
    assert float(body["cpm"]["linkedin"]) == 25.5 and float(body["cpm"]["x"]) == 0
    assert AuditEntry.objects.count() == 1
    assert api(member).put("/analytics/settings", RATES).status_code == 403
    unknown = api(admin).put("/analytics/settings", {**RATES, "cpm": {"myspace": "1"}})
    assert unknown.status_code == 400 and "cpm.myspace" in unknown.json()["errors"]
    assert api(admin).put("/analytics/settings", {**RATES, "currency": "JPY"}).status_code == 422
    assert api(admin).put("/analytics/settings", {**RATES, "mix_target": 101}).status_code == 422
    assert AuditEntry.objects.count() == 1


def test_an_admin_schedules_the_reports_to_readers_of_the_figures(admin, member, org, outsider):
    schedule = {"enabled": True, "weekday": 0, "hour": 8, "recipient_ids": [admin.pk]}
    saved = api(admin).put("/analytics/reports/schedules/weekly", schedule)
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"kind": "weekly", "enabled": True, "weekday": 0, "day": 1, "hour": 8}
    not_a_reader = {**schedule, "recipient_ids": [member.pk]}
    refused = api(admin).put("/analytics/reports/schedules/weekly", not_a_reader)
    assert refused.status_code == 400 and "recipients" in refused.json()["errors"]
    someone_else = {**schedule, "recipient_ids": [outsider.pk]}
    assert api(admin).put("/analytics/reports/schedules/weekly", someone_else).status_code == 400
    assert api(admin).put("/analytics/reports/schedules/daily", schedule).status_code == 422
    assert api(member).put("/analytics/reports/schedules/monthly", schedule).status_code == 403
    analyst = make_member(org, "analyst")
    assert (
        api(analyst).put("/analytics/reports/schedules/monthly", {**schedule, "day": 3}).status_code
        == 200
    )


def test_scopes_and_methods(admin):
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    refused = read_only.put("/analytics/settings", RATES)
    assert refused.status_code == 403 and "analytics:write" in refused.json()["detail"]
    assert api(admin).post("/analytics/settings", RATES).status_code == 405
    assert not AuditEntry.objects.exists()
