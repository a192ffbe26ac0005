"""Outgoing webhooks through the API (the `webhooks` area): what the pages offer, with the
same rules: administrators only, another organization's endpoint is 404, https and no
private address, the secret shown once in the answer that made it, every change audited,
scopes and methods checked."""

from __future__ import annotations

import json

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import AuditEntry
from portevoix.webhooks import events, services
from portevoix.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.com/portevoix"
BASE = "/webhooks/endpoints"


@pytest.fixture(autouse=True)
def _hook_host_resolves(settings):
    """No name resolves in the fast tier: the example receiver's host is let in as the local
    peers are (the guard still refuses any other)."""
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [
        *settings.SOCIAL_ALLOWED_PRIVATE_HOSTS,
        "hooks.example.com",
    ]


def client_for(membership, *, can_write=True, areas=None) -> ApiClient:
    issued = account_services.api_token_create(
        membership=membership, name="hooks", can_write=can_write, areas=areas
    )
    return ApiClient(issued.secret)


def _endpoint(admin, **kwargs) -> tuple[WebhookEndpoint, str]:
    data = services.EndpointData(url=HOOK, event_types=["content.item_live"], **kwargs)
    return services.endpoint_create(actor=admin, data=data)


def test_an_admin_adds_an_endpoint_and_gets_its_secret_once(admin):
    api = client_for(admin)
    created = api.post(
        BASE,
        {
            "url": HOOK,
            "event_types": ["content.item_live", "sharing.share_posted"],
            "description": "CRM",
        },
    )
    assert created.status_code == 201, created.content
    assert "no-store" in created["Cache-Control"]
    body = created.json()
    secret = body["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and services.endpoint_secret(endpoint) == secret
    assert body["id"] == endpoint.pk and body["enabled"] is True
    assert body["event_types"] == ["content.item_live", "sharing.share_posted"]
    # Never again: not in the list, not in the detail, not in the audit log.
    listed = api.get(BASE)
    assert listed.status_code == 200 and secret not in listed.content.decode()
    assert [e["id"] for e in listed.json()] == [endpoint.pk]
    detail = api.get(f"{BASE}/{endpoint.pk}")
    assert detail.json()["description"] == "CRM" and "secret" not in detail.json()
    entry = AuditEntry.objects.get(action="webhooks.endpoint_created")
    assert entry.actor_id == admin.user_id and secret not in json.dumps(entry.after)


def test_an_admin_changes_turns_off_rotates_tests_and_removes_an_endpoint(admin):
    endpoint, secret = _endpoint(admin)
    api = client_for(admin)
    changed = api.patch(f"{BASE}/{endpoint.pk}", {"url": HOOK + "/v2", "enabled": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["url"] == HOOK + "/v2" and changed.json()["enabled"] is False
    assert changed.json()["event_types"] == ["content.item_live"]  # not given: kept
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.enabled) == (HOOK + "/v2", False)

    rotated = api.post(f"{BASE}/{endpoint.pk}/rotate-secret")
    assert rotated.status_code == 200 and "no-store" in rotated["Cache-Control"]
    new_secret = rotated.json()["secret"]
    endpoint.refresh_from_db()
    assert new_secret != secret and services.endpoint_secret(endpoint) == new_secret

    sent = api.post(f"{BASE}/{endpoint.pk}/test")  # even while turned off
    assert sent.status_code == 202
    row = WebhookDelivery.objects.get(pk=sent.json()["delivery_id"])
    assert (row.endpoint_id, row.event_type) == (endpoint.pk, events.TEST_EVENT)
    log = api.get(f"{BASE}/{endpoint.pk}/deliveries")
    assert log.status_code == 200
    assert [(d["id"], d["event_type"], d["state"]) for d in log.json()] == [
        (row.pk, events.TEST_EVENT, DeliveryState.PENDING)
    ]
    assert "body" not in log.json()[0]

    removed = api.delete(f"{BASE}/{endpoint.pk}")
    assert removed.status_code == 204
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "webhooks.endpoint_created",
        "webhooks.endpoint_changed",
        "webhooks.endpoint_disabled",
        "webhooks.secret_rotated",
        "webhooks.endpoint_deleted",
    ]


def test_the_delivery_log_is_newest_first_and_limited(admin):
    endpoint, _secret = _endpoint(admin)
    ids = [services.test_event_send(actor=admin, endpoint=endpoint) for _ in range(3)]
    api = client_for(admin)
    log = api.get(f"{BASE}/{endpoint.pk}/deliveries", limit=2)
    assert [d["id"] for d in log.json()] == [ids[2], ids[1]]
    assert api.get(f"{BASE}/{endpoint.pk}/deliveries", limit=51).status_code == 422


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://10.0.0.1/hook", "event_types": ["sharing.share_posted"]}, "url"),
        ({"url": "https://169.254.169.254/latest", "event_types": ["sharing.share_posted"]}, "url"),
        ({"url": "https://[::1]/hook", "event_types": ["sharing.share_posted"]}, "url"),
        ({"url": "http://hooks.example.org/hook", "event_types": ["sharing.share_posted"]}, "url"),
        ({"url": "not a url", "event_types": ["sharing.share_posted"]}, "url"),
        ({"url": HOOK, "event_types": ["content.nope"]}, "event_types"),
    ],
)
def test_a_private_address_a_bad_url_or_an_unknown_event_is_refused(admin, payload, field):
    response = client_for(admin).post(BASE, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_the_body_is_validated(admin):
    api = client_for(admin)
    assert api.post(BASE, {"url": HOOK, "event_types": []}).status_code == 422
    assert api.post(BASE, {"url": HOOK}).status_code == 422
    assert (
        api.post(
            BASE, {"url": HOOK, "event_types": ["sharing.share_posted"], "enabled": 1}
        ).status_code
        == 422
    )
    endpoint, _secret = _endpoint(admin)
    refused = api.patch(f"{BASE}/{endpoint.pk}", {"url": "https://10.0.0.1/"})
    assert refused.status_code == 400 and "url" in refused.json()["errors"]
    endpoint.refresh_from_db()
    assert endpoint.url == HOOK


def test_a_member_who_is_not_an_admin_is_refused(admin, member):
    endpoint, secret = _endpoint(admin)
    api = client_for(member)
    assert api.get(BASE).status_code == 403
    assert api.post(BASE, {"url": HOOK, "event_types": ["sharing.share_posted"]}).status_code == 403
    assert api.get(f"{BASE}/{endpoint.pk}").status_code == 403
    assert api.patch(f"{BASE}/{endpoint.pk}", {"enabled": False}).status_code == 403
    assert api.post(f"{BASE}/{endpoint.pk}/rotate-secret").status_code == 403
    assert api.post(f"{BASE}/{endpoint.pk}/test").status_code == 403
    assert api.get(f"{BASE}/{endpoint.pk}/deliveries").status_code == 403
    assert api.delete(f"{BASE}/{endpoint.pk}").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.enabled and services.endpoint_secret(endpoint) == secret
    assert WebhookEndpoint.objects.count() == 1 and not WebhookDelivery.objects.exists()


def test_another_organizations_endpoint_is_404(admin, outsider):
    endpoint, secret = _endpoint(admin)
    api = client_for(outsider)
    assert api.get(BASE).json() == []  # their own, empty list
    assert api.get(f"{BASE}/{endpoint.pk}").status_code == 404
    assert api.patch(f"{BASE}/{endpoint.pk}", {"enabled": False}).status_code == 404
    assert api.post(f"{BASE}/{endpoint.pk}/rotate-secret").status_code == 404
    assert api.post(f"{BASE}/{endpoint.pk}/test").status_code == 404
    assert api.get(f"{BASE}/{endpoint.pk}/deliveries").status_code == 404
    assert api.delete(f"{BASE}/{endpoint.pk}").status_code == 404
    assert api.get(f"{BASE}/{endpoint.pk + 1000}").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.enabled and services.endpoint_secret(endpoint) == secret
    assert not WebhookDelivery.objects.exists()


def test_wrong_methods_and_no_token_are_refused(admin):
    endpoint, _secret = _endpoint(admin)
    anonymous = ApiClient(None)
    api = client_for(admin)
    assert api.put(f"{BASE}/{endpoint.pk}", {"url": HOOK}).status_code == 405
    assert api.get(f"{BASE}/{endpoint.pk}/test").status_code == 405
    assert api.get(f"{BASE}/{endpoint.pk}/rotate-secret").status_code == 405
    assert api.delete(BASE).status_code == 405
    assert anonymous.get(BASE).status_code == 401
    assert anonymous.post(f"{BASE}/{endpoint.pk}/test").status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_scopes_name_the_webhooks_area(admin):
    endpoint, _secret = _endpoint(admin)
    read_only = client_for(admin, can_write=False, areas=["webhooks"])
    assert read_only.get(BASE).status_code == 200
    assert read_only.get(f"{BASE}/{endpoint.pk}/deliveries").status_code == 200
    refused = read_only.post(f"{BASE}/{endpoint.pk}/test")
    assert refused.status_code == 403 and "webhooks:write" in refused.json()["detail"]
    other_area = client_for(admin, areas=["content"])
    refused = other_area.get(BASE)
    assert refused.status_code == 403 and "webhooks:read" in refused.json()["detail"]
    assert other_area.delete(f"{BASE}/{endpoint.pk}").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    writer = client_for(admin, areas=["webhooks"])
    assert writer.patch(f"{BASE}/{endpoint.pk}", {"enabled": False}).status_code == 200
