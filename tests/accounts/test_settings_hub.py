"""The settings hub (`/settings/`): every organization setting in one page, each link only
where its page opens; an admin, a community manager, an ambassador, a visitor, the wrong
method."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

HUB = reverse("accounts:settings")


def links_of(page: str) -> list[str]:
    body = page.split('<main id="main"', 1)[1]
    return [
        url
        for url in (
            reverse("accounts:org_settings"),
            reverse("notifications:policy"),
            reverse("accounts:members"),
            reverse("accounts:teams"),
            reverse("governance:charter_manage"),
            reverse("governance:rules"),
            reverse("sharing:tracking"),
            reverse("publishing:apps"),
            reverse("publishing:cadence"),
            reverse("publishing:pause"),
            reverse("governance:audit"),
        )
        if f'href="{url}"' in body
    ]


def test_an_admin_finds_every_setting_and_each_opens(client, admin):
    client.force_login(admin.user)
    response = client.get(HUB)
    assert response.status_code == 200
    page = response.content.decode()
    found = links_of(page)
    assert reverse("accounts:org_settings") in found
    assert reverse("governance:audit") in found
    assert reverse("accounts:members") in found
    for url in found:
        assert client.get(url).status_code == 200, url
    # The admin's menu leads there.
    assert f'href="{HUB}"' in page.split('<main id="main"', 1)[0]


def test_a_community_manager_sees_only_what_they_manage(client, org):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    client.force_login(community.user)
    response = client.get(HUB)
    assert response.status_code == 200
    found = links_of(response.content.decode())
    assert reverse("publishing:pause") in found
    assert reverse("accounts:org_settings") not in found
    for url in found:
        assert client.get(url).status_code == 200, url


def test_an_ambassador_has_no_settings(client, ambassador):
    client.force_login(ambassador.user)
    assert client.get(HUB).status_code == 403
    page = client.get(reverse("accounts:me")).content.decode()
    assert f'href="{HUB}"' not in page


def test_in_french(client, admin):
    client.force_login(admin.user)
    page = client.get(HUB, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tous les réglages" in page and "Journal d\u2019audit" in page


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.get(HUB)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_wrong_method(client, admin):
    client.force_login(admin.user)
    assert client.post(HUB).status_code == 405
