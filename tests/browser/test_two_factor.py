"""Two-step verification in a browser, on a phone (390x844) in French: an administrator
whose organization requires it logs in, is sent to the Security page, scans (reads) the
key, confirms with a code, keeps the recovery codes, then logs in again with a code from
the app and lands on the page asked for. No sideways overflow and no serious or critical
axe-core violation on each page of the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp
import pytest

from portevoix.accounts.models import Organization, TotpDevice
from portevoix.accounts.roles import Role
from tests import factories
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _check(page: Any, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{where}: {width}px wide in a {viewport}px window"
    assert_accessible(page, where)


def _password(page: Any, live_server: Any, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form button[type=submit]").click()


def test_set_up_then_log_in_with_a_code_on_a_phone_in_french(
    new_page: Any, live_server: Any
) -> None:
    org = factories.make_org("Acme")
    Organization.objects.filter(pk=org.pk).update(two_factor_required_for_admins=True)
    admin = factories.make_member(org, Role.ADMIN, email="admin-2fa@acme.test")
    page = new_page(viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    # The password, then the organization's rule: set it up before anything else.
    _password(page, live_server, admin.user.email, "/people/")
    page.wait_for_url(f"{live_server.url}/me/security/")
    assert "demande à ses administrateurs" in page.locator("main").inner_text()
    _check(page, "security page (off)")
    page.get_by_role("button", name="Configurer la validation en deux étapes").click()
    page.wait_for_url(f"{live_server.url}/me/security/setup/")
    assert page.locator("main .qr svg").count() == 1
    _check(page, "set-up page")

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#id_code", totp.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Activer la validation en deux étapes").click()
    codes = re.findall(
        r"[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}", page.inner_text("#recovery-codes")
    )
    assert len(codes) == 10
    _check(page, "recovery codes")
    page.get_by_role("link", name="Je les ai gardés").click()
    page.wait_for_url(f"{live_server.url}/me/security/")
    assert "Activée depuis" in page.locator("main").inner_text()

    # Log out, and in again: the second step asks a code, then the page asked for opens.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    _password(page, live_server, admin.user.email, "/people/")
    page.wait_for_url(f"{live_server.url}/login/code/")
    assert page.get_by_role("heading", level=1).inner_text() == "Validation en deux étapes"
    _check(page, "second step")
    # A code of a later time step than the one used to confirm (never a replay).
    last_step = TotpDevice.objects.get(user=admin.user).last_step
    page.fill(
        "#id_code", totp.generate_otp(max(last_step + 1, totp.timecode(dt.datetime.now(dt.UTC))))
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/people/")
