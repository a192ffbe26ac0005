"""SAML single sign-on in a browser, against pysaml2's IdP on 127.0.0.1
(tests/peers/saml_peer.py): the administrator sets it up on a desktop (the IdP's metadata
pasted, ours given to the IdP from the address the page shows), then a newcomer on a phone
logs in with "Continue with single sign-on", passes the IdP's page, whose form the browser
posts to our ACS, and lands logged in as a member. No sideways overflow and no serious or
critical axe-core violation on our pages of the way."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portevoix.accounts.models import Membership, Team
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.sso.models import IdentityProvider
from tests import factories
from tests.browser.axe import assert_accessible
from tests.peers.saml_peer import saml_peer_fixture

pytestmark = [pytest.mark.browser, pytest.mark.peers, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

saml_peer = saml_peer_fixture()


def _check(page: Any, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{where}: {width}px wide in a {viewport}px window"
    assert_accessible(page, where)


def test_an_admin_sets_up_saml_and_a_newcomer_logs_in_on_a_phone(
    new_page: Any, live_server: Any, saml_peer: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url  # our entity ID and ACS are under it
    org = factories.make_org("Acme")
    Team.objects.create(organization=org, name="Engineering")
    admin = factories.make_member(org, Role.ADMIN, email="boss@example.com")

    page = new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/login/?next=/settings/sso/")
    page.fill("input[name=username]", admin.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/settings/sso/")
    _check(page, "single sign-on settings (empty)")
    page.get_by_label("SAML 2.0").check()
    page.get_by_label("Identity provider's SAML metadata").fill(saml_peer.metadata())
    page.get_by_label("Email domains").fill("example.com")
    page.get_by_label("Claim for the name").fill("displayName")
    page.get_by_label("Claim for the job title").fill("title")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "The single sign-on settings are saved." in page.locator("main").inner_text()
    _check(page, "single sign-on settings (SAML)")
    provider = IdentityProvider.objects.get(organization=org)
    entity_id = page.locator("dl.facts dd code").first.inner_text()
    assert entity_id == f"{live_server.url}/sso/saml/{provider.saml_key}/metadata/"
    saml_peer.trust(httpx.get(entity_id, timeout=10).text)  # the IdP admin's side
    page.set_viewport_size(PHONE)
    _check(page, "single sign-on settings (SAML, phone)")

    phone = new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/login/?next=/me/")
    _check(phone, "login page")
    phone.fill("#id_sso_email", "ada@example.com")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Continue with single sign-on").click()
    assert phone.url.startswith(saml_peer.base_url)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Continue to the service").click()
    phone.wait_for_url(f"{live_server.url}/me/")
    _check(phone, "first page after single sign-on")
    membership = Membership.objects.get(organization=org, user__email="ada@example.com")
    assert membership.user.full_name == "Ada Lovelace" and membership.title == "Engineer"
    assert roles_of(membership) == frozenset()
