"""The analytics API answers as asked or refuses (issue 9): dates are YYYY-MM-DD only
(`start=0` is a 422, not 1970), a range is never swapped, shortened or clamped, and an
ambassador asking for the organization's figures gets a 403, not their own figures. The
OpenAPI schema says so (enums, date formats)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

SUMMARY = "/analytics/summary"
SPRING = {"start": "2026-03-01", "end": "2026-04-30"}


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


class TestDates:
    @pytest.mark.parametrize("value", ["0", "1", "20260301", "2026-3-1", "2026-02-30", "x"])
    @pytest.mark.parametrize("param", ["start", "end"])
    def test_not_a_day_is_422(self, dataset, analyst, param, value):
        response = api(analyst).get(SUMMARY, **{param: value})
        assert response.status_code == 422, (param, value, response.content)
        assert param in response.json()["errors"]

    @pytest.mark.parametrize("value", ["0001-01-01", "1970-01-01", "9999-12-31"])
    def test_out_of_range_day_is_422(self, dataset, analyst, value):
        response = api(analyst).get(SUMMARY, start=value, end="2026-04-30")
        assert response.status_code == 422
        assert "start" in response.json()["errors"]

    def test_reversed_range_is_refused_not_swapped(self, dataset, analyst):
        response = api(analyst).get(SUMMARY, start="2026-04-30", end="2026-03-01")
        assert response.status_code == 422
        assert "end" in response.json()["errors"]

    def test_too_long_range_is_refused_not_shortened(self, dataset, analyst):
        response = api(analyst).get(SUMMARY, start="2020-01-01", end="2026-04-30")
        assert response.status_code == 422
        assert "start" in response.json()["errors"]

    def test_a_range_outside_the_data_is_answered_as_asked(self, dataset, analyst):
        asked = {"start": "2024-01-01", "end": "2024-01-31"}
        body = api(analyst).get(SUMMARY, **asked).json()
        assert (body["filters"]["start"], body["filters"]["end"]) == ("2024-01-01", "2024-01-31")
        assert body["totals"]["shares"] == 0 and body["totals"]["clicks"] == 0
        points = api(analyst).get("/analytics/timeseries", **asked).json()["points"]
        assert len(points) == 31
        assert points[0]["start"] == "2024-01-01" and points[-1]["start"] == "2024-01-31"

    def test_a_range_around_the_data_keeps_its_edges(self, dataset, analyst):
        asked = {"start": "2025-06-01", "end": "2026-05-31"}
        body = api(analyst).get(SUMMARY, **asked).json()
        assert (body["filters"]["start"], body["filters"]["end"]) == (asked["start"], asked["end"])
        spring = api(analyst).get(SUMMARY, **SPRING).json()
        assert body["totals"]["shares"] == spring["totals"]["shares"] == 4


class TestScope:
    def test_an_ambassador_asking_for_the_organization_is_refused(self, dataset):
        response = api(dataset.a).get(SUMMARY, scope="org", **SPRING)
        assert response.status_code == 403
        for path in ("/analytics/timeseries", "/analytics/breakdown/item"):
            assert api(dataset.a).get(path, scope="org", **SPRING).status_code == 403

    def test_an_ambassador_without_scope_or_asking_own_gets_their_own(self, dataset):
        for params in (SPRING, {**SPRING, "scope": "own"}):
            body = api(dataset.a).get(SUMMARY, **params).json()
            assert body["filters"]["scope"] == "own"
            assert body["totals"]["shares"] == 2

    def test_the_organization_scope_for_those_allowed(self, dataset, analyst):
        for params in (SPRING, {**SPRING, "scope": "org"}):
            body = api(analyst).get(SUMMARY, **params).json()
            assert body["filters"]["scope"] == "org"
            assert body["totals"]["shares"] == 4

    def test_member_without_analytics_and_outsider(self, dataset, org, outsider):
        plain = api(factories.make_member(org))
        assert plain.get(SUMMARY, scope="org").status_code == 403
        assert plain.get(SUMMARY, scope="own").status_code == 403
        foreign = api(outsider).get(SUMMARY, campaign_id=dataset.campaign.pk, scope="org")
        assert foreign.status_code == 404

    def test_the_web_pages_agree(self, dataset):
        client = Client()
        client.force_login(dataset.a.user)
        assert client.get("/analytics/")["Location"] == "/analytics/me/"
        assert client.get("/analytics/export/item.csv").status_code == 403
        assert client.get("/analytics/me/export/item.csv").status_code == 200


class TestSchema:
    def test_parameters_say_what_is_enforced(self):
        params = {
            p["name"]: p["schema"]
            for p in schema()["paths"]["/api/v1/analytics/summary"]["get"]["parameters"]
        }
        assert {"enum": ["org", "own"], "type": "string"} in params["scope"]["anyOf"]
        network = next(s for s in params["network"]["anyOf"] if "enum" in s)
        assert set(network["enum"]) == {
            "linkedin",
            "x",
            "facebook",
            "mastodon",
            "bluesky",
            "threads",
        }
        for name in ("start", "end"):
            assert {"format": "date", "type": "string"} in params[name]["anyOf"]
            assert "YYYY-MM-DD" in params[name]["description"]

    def test_answers_carry_enums(self):
        components = schema()["components"]["schemas"]
        filters = components["RangeOut"]["properties"]
        assert filters["scope"]["enum"] == ["org", "own"]
        assert any("enum" in s for s in filters["network"]["anyOf"])
        assert components["SeriesOut"]["properties"]["unit"]["enum"] == ["day", "week", "month"]
        dimension = components["BreakdownOut"]["properties"]["dimension"]["enum"]
        assert dimension == ["item", "campaign", "team", "ambassador", "network"]
        assert "clicks" in components["BreakdownOut"]["properties"]["order"]["enum"]
