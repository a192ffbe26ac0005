"""Drafting assistance settings (decision 0030): administrators only, off by default, the
API key sealed at rest and never shown back, the base URL checked against private
addresses, every change audited without the key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from portevoix.assist import services
from portevoix.assist.models import AssistSettings
from portevoix.core import crypto
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from tests.assist.conftest import API_KEY, MODEL

pytestmark = pytest.mark.django_db

URL = reverse("assist:settings")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def form(**overrides):
    data = {
        "enabled": "on",
        "base_url": "http://127.0.0.1:11434/v1",
        "model": MODEL,
        "api_key": API_KEY,
        "timeout_seconds": "20",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def raw_key_column(org) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key_sealed FROM assist_assistsettings WHERE organization_id = %s",
            [org.pk],
        )
        return cursor.fetchone()[0]


def test_off_by_default(client, admin, org):
    client.force_login(admin.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"].initial["enabled"] is False
    assert not AssistSettings.objects.exists()


def test_admin_saves_the_key_sealed_and_never_sees_it_again(client, admin, org):
    client.force_login(admin.user)
    response = client.post(URL, form())
    assert response.status_code == 302
    row = AssistSettings.objects.get(organization=org)
    assert row.enabled and row.base_url == "http://127.0.0.1:11434/v1" and row.model == MODEL
    raw = raw_key_column(org)
    assert raw and API_KEY not in raw and crypto.decrypt(raw) == API_KEY
    page = client.get(URL).content.decode()
    assert API_KEY not in page
    assert "An API key is saved" in page and "Remove the saved key" in page


def test_an_empty_key_keeps_the_saved_one_and_remove_removes_it(client, admin, org):
    client.force_login(admin.user)
    client.post(URL, form())
    client.post(URL, form(api_key="", model="mistral"))
    row = AssistSettings.objects.get(organization=org)
    assert row.model == "mistral" and crypto.decrypt(row.api_key_sealed) == API_KEY
    client.post(URL, form(api_key="", remove_key="on"))
    assert AssistSettings.objects.get(organization=org).api_key_sealed == ""
    assert "No API key is saved" in client.get(URL).content.decode()


def test_changes_are_audited_without_the_key(client, admin, org):
    client.force_login(admin.user)
    client.post(URL, form())
    client.post(URL, form(api_key="sk-another-key-123"))
    entries = list(AuditEntry.objects.filter(action="assist.settings_changed").order_by("id"))
    assert len(entries) == 2
    after = entries[0].after or {}
    assert after["key_saved"] is True and after["key_changed"] is True
    assert after["model"] == MODEL
    for entry in entries:
        dumped = f"{entry.before}{entry.after}"
        assert API_KEY not in dumped and "sk-another-key-123" not in dumped


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/v1", "Only https://"),
        ("https://10.0.0.1/v1", "not allowed"),
        ("https://169.254.169.254/latest", "not allowed"),
        ("https://user:pw@api.example.com/v1", "not valid"),
    ],
)
def test_a_private_or_unsafe_address_is_refused(admin, org, url, message):
    with pytest.raises(DomainError) as caught:
        services.settings_save(
            actor=admin,
            data=services.SettingsData(enabled=True, base_url=url, model=MODEL),
        )
    assert message in caught.value.field_errors["base_url"][0]
    assert not AssistSettings.objects.exists()


def test_a_private_host_allowed_by_the_operator_is_accepted(admin, org, settings):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = ["ollama:11434"]
    row = services.settings_save(
        actor=admin,
        data=services.SettingsData(enabled=True, base_url="http://ollama:11434/v1/", model=MODEL),
    )
    assert row.base_url == "http://ollama:11434/v1"


def test_turning_on_needs_an_address_and_a_model(admin, org):
    with pytest.raises(DomainError) as caught:
        services.settings_save(
            actor=admin, data=services.SettingsData(enabled=True, base_url="", model="")
        )
    assert set(caught.value.field_errors) == {"base_url", "model"}


def test_a_plain_member_gets_403(client, member):
    client.force_login(member.user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form()).status_code == 403
    assert not AssistSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        services.settings_save(
            actor=member, data=services.SettingsData(enabled=False, base_url="", model="")
        )


def test_a_content_manager_gets_403(client, manager):
    client.force_login(manager.user)
    assert client.get(URL).status_code == 403


def test_an_outsider_changes_only_their_own_organization(client, admin, org, outsider):
    client.force_login(outsider.user)
    assert client.post(URL, form()).status_code == 302
    assert AssistSettings.objects.get().organization_id == outsider.organization_id
    assert not AssistSettings.objects.filter(organization=org).exists()


def test_the_settings_page_answers_only_get_and_post(client, admin):
    client.force_login(admin.user)
    assert client.put(URL).status_code == 405
