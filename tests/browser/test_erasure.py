"""Erasure in a browser: the administrators' page (a person who left, the delay setting) on
a phone (390x844) and a desktop (1366x768), in English and French, with nothing widening the
page and no serious or critical axe-core violation; then a person erases their own data from
"My data" through the confirmation page, and ends logged out."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership, User
from portevoix.accounts.roles import Role
from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def people(db: Any) -> tuple[Membership, Membership, Membership]:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    gone = factories.make_member(org, email="marguerite.longuenom@acme.test", ambassador=True)
    gone.user.full_name = "Marguerite-Alexandrine de La Longue-Nomenclature"
    gone.user.save(update_fields=["full_name"])
    account_services.member_deprovision(membership=gone)
    me = factories.make_member(org, email="amb@acme.test", ambassador=True)
    return admin, gone, me


def log_in(page: Any, live_server: Any, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_erasure_page_in_both_languages(new_page, live_server, people, viewport):
    axe_source()
    page = new_page(viewport=viewport)
    log_in(page, live_server, "admin@acme.test", "/settings/privacy/erasure/")
    found = []
    for language, heading in (("en", "People who left"), ("fr", "Personnes parties")):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in ("/settings/privacy/erasure/", f"/settings/privacy/erasure/{people[1].pk}/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector(f"html[lang={language}]")
            assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
            violations = axe_violations(page)
            if violations:
                found.append(describe(violations, f"{path} ({language})"))
        page.goto(f"{live_server.url}/settings/privacy/erasure/")
        assert heading in page.content()
    assert not found, "\n".join(found)


def test_a_person_erases_their_own_data(new_page, live_server, people):
    me = people[2]
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "amb@acme.test", "/me/data/")
    page.get_by_role("link", name="Erase my data…").click()
    page.wait_for_url(f"{live_server.url}/me/data/erase/")
    assert "This cannot be undone" in page.content()
    page.locator("form button[type=submit].danger").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert "Your data in this organization was erased" in page.content()
    me.refresh_from_db()
    assert me.erased_at is not None
    assert not User.objects.filter(email="amb@acme.test").exists()
