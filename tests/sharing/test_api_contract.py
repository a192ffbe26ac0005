"""The sharing API's OpenAPI schema says what the API enforces (enums, bounds, minLength),
and JSON bodies are strict: a boolean where a number is expected is a 422, never 1."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from portevoix.core.networks import Network
from portevoix.sharing import services
from portevoix.sharing.models import Conversion, Share, ShareState
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()["components"]["schemas"]


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


# --- The schema


def test_networks_and_states_are_enums(schema):
    share_in = schema["ShareIn"]["properties"]
    assert share_in["network"]["enum"] == list(Network.ALL)
    share_out = schema["ShareOut"]["properties"]
    assert share_out["network"]["enum"] == list(Network.ALL)
    assert sorted(share_out["state"]["enum"]) == sorted(ShareState.values)
    assert schema["ConversionIn"]["properties"]["kind"]["enum"] == [
        "lead",
        "signup",
        "job_application",
        "purchase",
    ]


def test_the_conversion_value_has_its_bounds(schema):
    value = schema["ConversionIn"]["properties"]["value"]
    number = next(option for option in value["anyOf"] if option["type"] == "number")
    assert number["minimum"] == 0
    assert Decimal(str(number["maximum"])) == services.MAX_CONVERSION_VALUE
    text = next(option for option in value["anyOf"] if option["type"] == "string")
    assert text["pattern"]


def test_fields_that_refuse_empty_values_say_so(schema):
    conversion = schema["ConversionIn"]["properties"]
    assert conversion["org"]["minLength"] == 1
    assert conversion["conversion_id"]["minLength"] == 1
    assert set(schema["ConversionIn"]["required"]) == {"org", "conversion_id", "kind"}
    # An empty click id or currency is accepted (no click, no currency): no minLength.
    assert "minLength" not in conversion["click_id"]
    assert "minLength" not in conversion["currency"]


def test_ids_in_bodies_are_integers_with_bounds(schema):
    item_id = schema["ShareIn"]["properties"]["item_id"]
    assert item_id["type"] == "integer"
    assert item_id["minimum"] == 1
    assert item_id["maximum"] == 2**63 - 1


# --- Strict JSON bodies


@pytest.mark.parametrize("item_id", [True, False, "1", 1.5])
def test_a_share_with_a_non_integer_item_id_is_a_422(ambassador, item, item_id):
    response = api(ambassador).post("/shares", {"item_id": item_id, "network": "x"})
    assert response.status_code == 422, response.content
    assert "item_id" in response.json()["errors"]
    assert not Share.objects.exists()


def test_a_share_with_a_boolean_variant_is_a_422(ambassador, item):
    response = api(ambassador).post(
        "/shares", {"item_id": item.pk, "network": "x", "variant_id": True}
    )
    assert response.status_code == 422
    assert "variant_id" in response.json()["errors"]
    assert not Share.objects.exists()


def test_a_real_integer_item_id_still_works(ambassador, item):
    response = api(ambassador).post("/shares", {"item_id": item.pk, "network": "x"})
    assert response.status_code == 201


def test_the_outsider_still_gets_a_404_for_a_valid_id(outsider, item):
    response = api(outsider).post("/shares", {"item_id": item.pk, "network": "x"})
    assert response.status_code == 404
    assert not Share.objects.exists()


# --- Conversions: bounds and empty values


@pytest.fixture
def key(org, admin) -> str:
    return services.conversion_key_rotate(actor=admin)


def report(client: Client, body: dict[str, Any], key: str) -> Any:
    raw = json.dumps(body)
    ts = str(int(time.time()))
    return client.post(
        "/api/v1/conversions",
        raw,
        content_type="application/json",
        headers={
            "X-Portevoix-Timestamp": ts,
            "X-Portevoix-Signature": services.conversion_signature(key, ts, raw.encode()),
        },
    )


def body(organization, **overrides: Any) -> dict[str, Any]:
    return {"org": organization.slug, "conversion_id": "order-1", "kind": "lead", **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": False}, "value"),
        ({"value": True}, "value"),
        ({"value": "1000000000000"}, "value"),
        ({"value": 1_000_000_000_000}, "value"),
        ({"value": "-0.01"}, "value"),
        ({"value": "1.001"}, "value"),
        ({"conversion_id": ""}, "conversion_id"),
        ({"org": ""}, "org"),
    ],
)
def test_a_conversion_outside_the_schema_is_a_422(client, org, key, overrides, field):
    response = report(client, body(org, **overrides), key)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Conversion.objects.exists()


@pytest.mark.parametrize("value", ["999999999999.99", 999999999999.99, "0", 0, "49.90", 49.9])
def test_a_conversion_within_the_bounds_is_recorded(client, org, key, value):
    response = report(client, body(org, value=value), key)
    assert response.status_code == 201, response.content
    assert Conversion.objects.get().value == Decimal(str(value)).quantize(Decimal("0.01"))
