"""The directory provisioning settings page: admins only, a token shown once, revocation,
the brake, the held deactivations; in French and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.scim.models import Deactivation, DirectorySettings, DirectoryToken
from tests.accounts._helpers import page_text

from .conftest import Scim

pytestmark = pytest.mark.django_db
URL = "/settings/directory/"


def _logged(person) -> Any:
    client = Client()
    client.force_login(person.user)
    return client


def test_only_admins_open_it(admin, member, outsider):
    assert reverse("scim:settings") == URL
    assert _logged(admin).get(URL).status_code == 200
    assert _logged(member).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_linked_from_the_settings_hub(admin, member):
    assert URL in _logged(admin).get(reverse("accounts:settings")).content.decode()


def test_create_a_token_shown_once_then_revoke(admin, outsider):
    client = _logged(admin)
    response = client.post(URL, {"form": "token", "name": "Okta"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    assert secret not in client.get(URL).content.decode()  # shown once
    token = DirectoryToken.objects.get()
    assert Scim(Client(), secret).get("Users").status_code == 200
    revoke = reverse("scim:token_revoke", args=[token.pk])
    assert _logged(outsider).post(revoke).status_code == 404
    assert client.get(revoke).status_code == 200
    assert client.post(revoke).status_code == 302
    assert Scim(Client(), secret).get("Users").status_code == 401
    assert client.post(URL, {"form": "token", "name": ""}).status_code == 400


def test_the_brake_setting(admin, org):
    client = _logged(admin)
    response = client.post(URL, {"form": "brake", "brake_percent": 25, "brake_window_hours": 6})
    assert response.status_code == 302
    setting = DirectorySettings.objects.get(organization=org)
    assert (setting.brake_percent, setting.brake_window_hours) == (25, 6)
    bad = client.post(URL, {"form": "brake", "brake_percent": 0, "brake_window_hours": 6})
    assert bad.status_code == 400


def test_held_deactivations_confirmed_on_the_page(admin, org, crowd, scim):
    for person in crowd[:5]:
        scim.patch(f"Users/{person.pk}", {"op": "replace", "value": {"active": False}})
    assert Deactivation.objects.filter(status="pending").count() == 1
    client = _logged(admin)
    text = page_text(client.get(URL))
    assert "waiting for your confirmation" in text
    assert crowd[4].user.display_name in text
    response = client.post(reverse("scim:held_decide"), {"decision": "confirm"})
    assert response.status_code == 302
    crowd[4].refresh_from_db()
    assert not crowd[4].is_active
    assert client.post(reverse("scim:held_decide"), {"decision": "confirm"}).status_code == 404


def test_the_page_in_french(admin):
    client = _logged(admin)
    client.cookies["django_language"] = "fr"
    text = page_text(client.get(URL, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Provisionnement par l\u2019annuaire" in text
    assert "Frein de sécurité" in text and "Créer un jeton d\u2019annuaire" in text
