"""The enterprise settings pages an administrator opens (single sign-on, directory
provisioning, webhooks and an endpoint's delivery log, the processing register, erasure, the
organization's data, two-step verification), on a phone (390x844) and a desktop (1366x900),
in English and French: no page scrolls sideways, axe-core finds no serious or critical
violation."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.scim import services as scim_services
from portevoix.webhooks import services as webhook_services
from portevoix.webhooks.models import WebhookEndpoint
from tests import factories
from tests.browser.axe import axe_source, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin(db: Any, settings: Any) -> Any:
    # The example receiver's host is let in as the local peers are (no name resolves here).
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [
        *settings.SOCIAL_ALLOWED_PRIVATE_HOSTS,
        "hooks.example.com",
    ]
    org = factories.make_org("Société Générale des Eaux et Forêts du Grand Ouest")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    scim_services.directory_token_create(membership=admin, name="Entra ID (production)")
    webhook_services.endpoint_create(
        actor=admin,
        data=webhook_services.EndpointData(
            url="https://hooks.example.com/portevoix/a-rather-long-path/for-the-crm-integration",
            event_types=["content.item_live", "accounts.member_joined"],
            description="CRM",
        ),
    )
    return admin


def test_the_enterprise_settings_on_a_phone_and_a_desktop(new_page, live_server, admin):
    axe_source()
    paths = [
        "/settings/sso/",
        "/settings/directory/",
        "/settings/webhooks/",
        f"/settings/webhooks/{WebhookEndpoint.objects.get().pk}/",
        "/settings/privacy/register/",
        "/settings/privacy/erasure/",
        "/settings/organization/data/",
        "/me/security/",
    ]
    found = []
    for label, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1366, "height": 900}),
    ):
        page = new_page(viewport=viewport)
        page.goto(f"{live_server.url}/login/?next={paths[0]}")
        page.fill("input[name=username]", "admin@acme.test")
        page.fill("input[name=password]", factories.PASSWORD)
        page.locator("#login-form button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}{paths[0]}")
        found += page_problems(page, live_server.url, paths, label)
    assert not found, "\n".join(found)
