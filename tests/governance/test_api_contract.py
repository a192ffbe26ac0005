"""The governance API refuses what it cannot accept instead of changing it (issue 9): the
audit log's dates are YYYY-MM-DD only (`until=0` is a 422, not 1970-01-01), ids in JSON
bodies are numbers (not `true` or `"3"`), and the OpenAPI schema lists the enums."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


class TestAuditDates:
    @pytest.mark.parametrize("value", ["0", "1", "20260101", "2026-02-30", "yesterday"])
    @pytest.mark.parametrize("param", ["since", "until"])
    def test_not_a_day_is_422(self, api_as, admin, charter, param, value):
        response = api_as(admin).get("/audit", **{param: value})
        assert response.status_code == 422, (param, value, response.content)
        assert param in response.json()["errors"]

    @pytest.mark.parametrize("value", ["0001-01-01", "1970-01-01", "9999-12-31"])
    def test_out_of_range_day_is_422(self, api_as, admin, charter, value):
        response = api_as(admin).get("/audit", until=value)
        assert response.status_code == 422
        assert "until" in response.json()["errors"]

    def test_days_are_answered_as_asked(self, api_as, admin, charter):
        api = api_as(admin)
        everything = api.get("/audit").json()["count"]
        assert everything == 2
        assert api.get("/audit", since="2000-01-01", until="2100-12-31").json()["count"] == 2
        assert api.get("/audit", until="2000-01-01").json()["count"] == 0
        # A reversed range is an empty answer, not a swapped one.
        assert api.get("/audit", since="2100-12-31", until="2000-01-01").json()["count"] == 0

    def test_outsider_and_ambassador(self, api_as, outsider, ambassador, charter):
        assert api_as(outsider).get("/audit").json()["count"] == 0
        assert api_as(ambassador).get("/audit", until="2026-01-01").status_code == 403


class TestStrictBodies:
    @pytest.mark.parametrize("value", [True, "1", 1.5])
    def test_version_id_must_be_a_number(self, api_as, ambassador, charter, value):
        response = api_as(ambassador).post("/charter/acknowledge", {"version_id": value})
        assert response.status_code == 422
        assert "version_id" in response.json()["errors"]

    def test_a_number_is_accepted(self, api_as, ambassador, outsider, charter):
        response = api_as(ambassador).post("/charter/acknowledge", {"version_id": charter.pk})
        assert response.status_code == 200
        foreign = api_as(outsider).post("/charter/acknowledge", {"version_id": charter.pk})
        assert foreign.status_code == 404


class TestSchema:
    def test_enums(self):
        components = schema()["components"]["schemas"]
        case = components["CaseOut"]["properties"]
        assert case["status"]["enum"] == ["open", "approved", "rejected", "removed"]
        assert case["source"]["enum"] == ["warning", "report", "suggestion"]
        match = components["MatchOut"]["properties"]
        assert match["action"]["enum"] == ["block", "warn"]
        assert "blocked_term" in match["kind"]["enum"]
        network = components["CheckIn"]["properties"]["network"]["enum"]
        assert "" in network and "mastodon" in network

    def test_dates_and_ids(self):
        api = schema()
        params = {
            p["name"]: p["schema"] for p in api["paths"]["/api/v1/audit"]["get"]["parameters"]
        }
        for name in ("since", "until"):
            assert {"format": "date", "type": "string"} in params[name]["anyOf"]
        version_id = api["components"]["schemas"]["AcknowledgeIn"]["properties"]["version_id"]
        assert {"maximum": 2**63 - 1, "minimum": 1, "type": "integer"} in version_id["anyOf"]
