"""The organization's data page, for an administrator, on a phone (390x844) and a desktop
(1366x900), in English and French: nothing widens the page, axe-core finds no serious or
critical violation, the archive is prepared and downloads as a zip; a wrong name refuses the
deletion, the right one ends the administrator's access to the organization."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts.models import Membership, Organization
from portevoix.accounts.roles import Role
from tests import factories
from tests.browser.axe import axe_source, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PATH = "/settings/organization/data/"
DELETE_FR = "Supprimer l\u2019organisation et toutes ses données"


@pytest.fixture
def admin(db: Any, settings: Any, tmp_path: Any) -> Membership:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    org = factories.make_org("Société Générale des Eaux et Forêts du Grand Ouest")
    factories.make_member(org, email="amb@acme.test", ambassador=True)
    return factories.make_member(org, Role.ADMIN, email="admin@acme.test")


def log_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/login/?next={PATH}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{PATH}")


def test_the_organization_data_page_on_a_phone_and_a_desktop(new_page, live_server, admin):
    axe_source()
    phone = new_page(viewport=PHONE)
    log_in(phone, live_server, "admin@acme.test")
    found = page_problems(phone, live_server.url, [PATH], "phone, before")
    phone.get_by_role("button", name="Préparer une archive").click()
    phone.wait_for_selector("a[download]")
    found += page_problems(phone, live_server.url, [PATH], "phone, ready")
    with phone.expect_download() as info:
        phone.locator("a[download]").click()
    assert info.value.suggested_filename.startswith("portevoix-organization-")
    desktop = new_page(viewport=DESKTOP)
    log_in(desktop, live_server, "admin@acme.test")
    found += page_problems(desktop, live_server.url, [PATH], "desktop")
    assert not found, "\n".join(found)

    # A wrong name: refused, said next to the field, nothing deleted.
    desktop.fill("#confirm_name", "Société Générale")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name=DELETE_FR).click()
    assert desktop.locator("#confirm_name[aria-invalid=true]").count() == 1
    assert "Ce n\u2019est pas le nom de l\u2019organisation." in desktop.content()
    assert Organization.objects.filter(pk=admin.organization_id).exists()
    # The right name: the organization is gone for everyone.
    desktop.fill("#confirm_name", admin.organization.name)
    with desktop.expect_navigation():
        desktop.get_by_role("button", name=DELETE_FR).click()
    desktop.goto(f"{live_server.url}{PATH}")
    assert desktop.url != f"{live_server.url}{PATH}"
    assert not Membership.objects.filter(organization_id=admin.organization_id, is_active=True)
