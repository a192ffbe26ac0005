"""Conversions: attributed to the click within the window, counted once per id; reported by
a 1x1 pixel or by a server-to-server POST signed with the organization's key."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.test import Client

from portevoix.content import services as content_services
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.sharing import services
from portevoix.sharing.models import Conversion, TrackingSettings
from portevoix.sharing.views import PIXEL_GIF
from portevoix.sharing.visitor import local_day, visitor_hash
from tests.factories import make_live_item
from tests.sharing.conftest import click, total

pytestmark = pytest.mark.django_db

CLICKED = clock.now().replace(microsecond=0) - dt.timedelta(days=60)


@pytest.fixture
def campaign(manager):
    return content_services.campaign_create(membership=manager, name="Recrutement")


@pytest.fixture
def clicked(ambassador, manager, approver, campaign):
    """A click with id `clk-1` on the ambassador's X link, 60 days ago."""
    item = make_live_item(manager, approver, campaign_id=campaign.pk)
    link = services.link_get_or_create(membership=ambassador, item=item, network="x")
    services.clicks_ingest(
        [
            click(
                link.code,
                at=CLICKED,
                visitor=visitor_hash("203.0.113.9", "UA", local_day(CLICKED)),
                click_id="clk-1",
            )
        ]
    )
    return link


@pytest.fixture
def recent(clicked):
    """A second click, `clk-now`, an hour ago on the same link."""
    at = clock.now() - dt.timedelta(hours=1)
    services.clicks_ingest(
        [
            click(
                clicked.code,
                at=at,
                visitor=visitor_hash("203.0.113.9", "UA", local_day(at)),
                click_id="clk-now",
            )
        ]
    )
    return clicked


def record(org, **overrides):
    data = {
        "organization": org,
        "external_id": "lead-1",
        "kind": "lead",
        "value": 0,
        "currency": "",
        "click_id": "clk-1",
        "at": CLICKED + dt.timedelta(days=2),
        "source": "api",
    }
    data.update(overrides)
    return services.conversion_record(**data)


# --- Attribution


def test_a_conversion_is_attributed_to_the_click(org, clicked, ambassador, campaign, rollup_calls):
    rollup_calls.clear()
    at = CLICKED + dt.timedelta(days=2)
    result = record(org, kind="purchase", value="49.90", currency="eur", at=at)
    assert result.created and result.attributed
    conversion = result.conversion
    assert conversion.click.click_id == "clk-1"
    assert conversion.link_id == clicked.pk
    assert conversion.value == Decimal("49.90")
    assert conversion.currency == "EUR"
    assert rollup_calls == [
        {
            "organization_id": org.pk,
            "day": local_day(at),
            "item_id": clicked.item_id,
            "campaign_id": campaign.pk,
            "membership_id": ambassador.pk,
            "network": "x",
            "conversions": 1,
            "conversion_value": Decimal("49.90"),
        }
    ]


@pytest.mark.parametrize(
    ("offset", "attributed"),
    [
        (dt.timedelta(days=30), True),
        (dt.timedelta(days=29, hours=23), True),
        (dt.timedelta(days=30, seconds=1), False),
        (dt.timedelta(days=45), False),
        (dt.timedelta(minutes=-3), True),  # clocks a little apart
        (dt.timedelta(hours=-1), False),  # before the click
    ],
)
def test_the_default_window_is_30_days(org, clicked, rollup_calls, offset, attributed):
    rollup_calls.clear()
    result = record(org, at=CLICKED + offset)
    assert result.created
    assert result.attributed is attributed
    assert (result.conversion.click_id is not None) is attributed
    assert total(rollup_calls, "conversions") == (1 if attributed else 0)


def test_the_window_is_configurable(org, admin, clicked):
    services.tracking_settings_update(
        actor=admin,
        data=services.TrackingData(
            utm_enabled=True,
            utm_source="{network}",
            utm_medium="employee_advocacy",
            utm_campaign="{campaign}",
            utm_content="{ambassador}",
            fallback_url="",
            attribution_days=7,
        ),
    )
    assert record(org, external_id="a", at=CLICKED + dt.timedelta(days=6)).attributed
    assert not record(org, external_id="b", at=CLICKED + dt.timedelta(days=8)).attributed


def test_an_unknown_click_gives_an_unattributed_conversion(org, clicked, rollup_calls):
    rollup_calls.clear()
    result = record(org, click_id="nope")
    assert result.created and not result.attributed
    assert Conversion.objects.get().click is None
    assert rollup_calls == []


def test_another_organizations_click_is_not_used(other_org, clicked, rollup_calls):
    rollup_calls.clear()
    result = record(other_org)
    assert not result.attributed
    assert rollup_calls == []


def test_duplicates_count_once(org, clicked, rollup_calls):
    rollup_calls.clear()
    first = record(org, value="10")
    again = record(org, value="99", kind="purchase")
    assert first.created and not again.created
    assert again.conversion.pk == first.conversion.pk
    assert again.attributed
    assert Conversion.objects.count() == 1
    assert Conversion.objects.get().value == Decimal("10.00")
    assert total(rollup_calls, "conversions") == 1


def test_the_same_id_in_two_organizations_is_two_conversions(org, other_org, clicked):
    record(org)
    record(other_org)
    assert Conversion.objects.count() == 2


def test_the_pixel_needs_a_known_click(org, clicked):
    with pytest.raises(NotFound):
        record(org, click_id="unknown", source="pixel", require_click=True)
    assert not Conversion.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("conversion_id", {"external_id": ""}),
        ("conversion_id", {"external_id": "has space"}),
        ("conversion_id", {"external_id": "x" * 121}),
        ("kind", {"kind": "donation"}),
        ("value", {"value": "-1"}),
        ("value", {"value": "abc"}),
        ("value", {"value": "NaN"}),
        ("value", {"value": "1e20"}),
        ("currency", {"currency": "EURO"}),
        ("at", {"at": clock.now() + dt.timedelta(hours=1)}),
        ("at", {"at": dt.datetime(2026, 1, 1)}),
    ],
)
def test_bad_reports_are_refused(org, clicked, field, overrides):
    with pytest.raises(DomainError) as caught:
        record(org, **overrides)
    assert field in caught.value.field_errors
    assert not Conversion.objects.exists()


# --- The pixel


def pixel(client: Client, **params: str):
    return client.get("/c/pixel.gif", params)


def _assert_gif(response) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL_GIF
    assert "no-store" in response["Cache-Control"]


def test_the_pixel_records_an_attributed_conversion(client, org, recent):
    response = pixel(
        client, org=org.slug, click="clk-now", id="signup-7", kind="signup", value="0", currency=""
    )
    _assert_gif(response)
    conversion = Conversion.objects.get()
    assert conversion.source == "pixel"
    assert conversion.kind == "signup"
    assert conversion.click is not None


def test_the_pixel_reads_the_click_cookie(client, org, recent):
    client.cookies["pv_click"] = "clk-now"
    _assert_gif(pixel(client, org=org.slug, id="lead-9", kind="lead"))
    click = Conversion.objects.get().click
    assert click is not None and click.click_id == "clk-now"


def test_the_pixel_counts_a_conversion_once(client, org, recent, rollup_calls):
    rollup_calls.clear()
    for _ in range(3):
        _assert_gif(pixel(client, org=org.slug, click="clk-now", id="order-1", kind="purchase"))
    assert Conversion.objects.count() == 1
    assert total(rollup_calls, "conversions") == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"org": "no-such-org", "click": "clk-now", "id": "x1"},
        {"click": "clk-now", "id": "x1"},
        {"org": "__ORG__", "click": "unknown", "id": "x1"},
        {"org": "__ORG__", "id": "x1"},
        {"org": "__ORG__", "click": "clk-now", "id": ""},
        {"org": "__ORG__", "click": "clk-now", "id": "x1", "kind": "bogus"},
        {"org": "__ORG__", "click": "clk-now", "id": "x1", "value": "-5"},
        {"org": "__ORG__", "click": "clk-now", "id": "x1", "value": "1" * 5000},
        {"org": "__ORG__", "click": "clk-now\x00", "id": "x1"},
        {"org": "__ORG__" * 200, "click": "clk-now", "id": "x1"},
    ],
)
def test_the_pixel_is_always_a_gif_and_records_nothing_bad(client, org, recent, params):
    params = {key: value.replace("__ORG__", org.slug) for key, value in params.items()}
    _assert_gif(pixel(client, **params))
    assert not Conversion.objects.exists()


def test_the_pixel_caps_conversions_per_click(client, org, recent, monkeypatch):
    monkeypatch.setattr(services.conversions, "PIXEL_MAX_PER_CLICK", 3)
    for n in range(5):
        _assert_gif(pixel(client, org=org.slug, click="clk-now", id=f"lead-{n}"))
    assert Conversion.objects.count() == 3
    # A repeat of an id already recorded is still just a duplicate.
    _assert_gif(pixel(client, org=org.slug, click="clk-now", id="lead-0"))
    assert Conversion.objects.count() == 3
    # The signed API has no such cap.
    services.conversion_record(
        organization=org, external_id="api-1", kind="lead", click_id="clk-now", source="api"
    )
    assert Conversion.objects.count() == 4


def test_the_pixel_survives_an_unexpected_error(client, org, recent, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "conversion_record", boom)
    _assert_gif(pixel(client, org=org.slug, click="clk-now", id="x1"))


def test_the_pixel_ignores_other_methods(client, org, recent):
    response = client.post(f"/c/pixel.gif?org={org.slug}&click=clk-now&id=x1")
    _assert_gif(response)
    assert not Conversion.objects.exists()


# --- Signed server-to-server reports


@pytest.fixture
def key(org, admin) -> str:
    return services.conversion_key_rotate(actor=admin)


def post(client: Client, body: dict | str, *, key: str, ts: int | None = None, sig: str = ""):
    raw = body if isinstance(body, str) else json.dumps(body)
    ts = int(time.time()) if ts is None else ts
    signature = sig or services.conversion_signature(key, str(ts), raw.encode())
    return client.post(
        "/api/v1/conversions",
        raw,
        content_type="application/json",
        headers={"X-Portevoix-Timestamp": str(ts), "X-Portevoix-Signature": signature},
    )


def payload(organization, **overrides):
    data = {
        "org": organization.slug,
        "click_id": "clk-1",
        "conversion_id": "order-77",
        "kind": "purchase",
        "value": "120.50",
        "currency": "EUR",
        "at": (CLICKED + dt.timedelta(days=1)).isoformat(),
    }
    data.update(overrides)
    return data


def test_the_key_is_stored_encrypted(org, key):
    stored = TrackingSettings.objects.get(organization=org).conversion_key_encrypted
    assert key.startswith("pvck_")
    assert key not in stored


def test_a_signed_report_is_recorded_once(client, org, clicked, key, rollup_calls):
    rollup_calls.clear()
    response = post(client, payload(org), key=key)
    assert response.status_code == 201, response.content
    assert response.json() == {"conversion_id": "order-77", "created": True, "attributed": True}
    again = post(client, payload(org), key=key)
    assert again.status_code == 200
    assert again.json() == {"conversion_id": "order-77", "created": False, "attributed": True}
    conversion = Conversion.objects.get()
    assert conversion.source == "api"
    assert conversion.value == Decimal("120.50")
    assert total(rollup_calls, "conversions") == 1
    assert total(rollup_calls, "conversion_value") == Decimal("120.50")


def test_a_report_without_click_is_unattributed(client, org, key, rollup_calls):
    body = payload(org, click_id="", at=None)
    del body["at"]
    response = post(client, body, key=key)
    assert response.status_code == 201
    assert response.json()["attributed"] is False
    assert rollup_calls == []


def test_a_bad_signature_is_refused(client, org, clicked, key):
    response = post(client, payload(org), key=key, sig="0" * 64)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid signature."
    response = post(client, payload(org), key="pvck_wrong")
    assert response.status_code == 401
    assert not Conversion.objects.exists()


def test_a_signature_of_another_body_is_refused(client, org, clicked, key):
    ts = int(time.time())
    sig = services.conversion_signature(key, str(ts), json.dumps(payload(org)).encode())
    tampered = payload(org, value="999999")
    response = post(client, tampered, key=key, ts=ts, sig=sig)
    assert response.status_code == 401


def test_an_unknown_organization_gets_the_same_answer(client, org, key, other_org):
    response = post(client, payload(org, org="no-such-org"), key=key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid signature."
    # An organization without a key: the same answer too.
    response = post(client, payload(other_org, org=other_org.slug), key=key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid signature."


@pytest.mark.parametrize("age", [330, -330, 10_000])  # well past the 300 s window
def test_a_stale_timestamp_is_refused(client, org, clicked, key, age):
    response = post(client, payload(org), key=key, ts=int(time.time()) - age)
    assert response.status_code == 401
    assert "5 minutes" in response.json()["detail"]
    assert not Conversion.objects.exists()


def test_missing_headers_are_refused(client, org, key):
    response = client.post(
        "/api/v1/conversions", json.dumps(payload(org)), content_type="application/json"
    )
    assert response.status_code == 401


def test_a_rotated_key_stops_the_old_one(client, org, clicked, key, admin):
    services.conversion_key_rotate(actor=admin)
    assert post(client, payload(org), key=key).status_code == 401


def test_a_signed_report_with_errors_is_a_4xx(client, org, key):
    assert post(client, payload(org, kind="donation"), key=key).status_code == 400
    assert post(client, payload(org, value="-1"), key=key).status_code == 422
    assert post(client, payload(org, conversion_id="a b"), key=key).status_code == 400
    assert post(client, "[1, 2]", key=key).status_code == 400
    assert post(client, "not json", key=key).status_code == 400
    assert not Conversion.objects.exists()


def test_the_documented_curl_command_signs_like_the_server(org, key, tmp_path):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    body = json.dumps(payload(org))
    ts = "1700000000"
    result = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", key, "-r"],
        input=f"{ts}.{body}".encode(),
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().split(" ")[0] == services.conversion_signature(
        key, ts, body.encode()
    )
