"""The login page (with "Forgot your password?") and the password-reset pages on a phone
(390x844) and a desktop (1366x900), in English and French: no sideways overflow, and
axe-core finds no serious or critical violation (issue 11, section 6). The locked-out
message is checked the same way."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests import factories
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PAGES = ["/login/", "/password/reset/", "/password/reset/sent/"]


def _in(page: Any, live_server: Any, lang: str) -> None:
    """The language cookie, as the language selector sets it (Chromium may send its own
    Accept-Language on a form's POST)."""
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])


def _no_overflow(page: Any, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{where}: {width}px wide in a {viewport}px window"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_login_and_reset_pages(new_page: Any, live_server: Any, size: str, lang: str) -> None:
    page = new_page(viewport=SIZES[size])
    _in(page, live_server, lang)
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        _no_overflow(page, f"{path} ({size}, {lang})")
        assert_accessible(page, f"{path} ({size}, {lang})")
    # From the login page to the reset page, as a user does.
    page.goto(f"{live_server.url}/login/")
    link = "Mot de passe oublié ?" if lang == "fr" else "Forgot your password?"
    page.get_by_role("link", name=link).click()
    page.wait_for_url(f"{live_server.url}/password/reset/")
    page.fill("#id_email", "nobody@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/password/reset/sent/")


@pytest.mark.parametrize("size", SIZES)
def test_the_locked_out_message(new_page: Any, live_server: Any, size: str) -> None:
    factories.make_user("locked@acme.test")
    page = new_page(viewport=SIZES[size])
    _in(page, live_server, "fr")
    page.goto(f"{live_server.url}/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("input[name=username]", "locked@acme.test")
        page.fill("input[name=password]", "wrong-password")
        with page.expect_navigation():  # the answer to this POST, before the next try
            page.locator("#login-form button[type=submit]").click()
    alert = page.get_by_role("alert")
    assert "Trop de tentatives. Réessayez dans 15 minutes" in alert.inner_text()
    _no_overflow(page, f"locked ({size})")
    assert_accessible(page, f"locked ({size})")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_from_the_feed_card_on_a_phone(new_page: Any, live_server: Any, lang: str) -> None:
    """« Signaler » on a feed card: a small link, then the report form for that item."""
    from portevoix.accounts.roles import Role
    from portevoix.governance.models import ModerationCase
    from tests.browser.test_content_flow import log_in

    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    item = factories.make_live_item(manager, approver, title="Nous recrutons à Lyon")
    page = new_page(viewport=SIZES["phone"])
    _in(page, live_server, lang)
    log_in(page, live_server, "ambassador@acme.test", "/feed/")
    link = page.locator("article.feed-card a.report-link").first
    assert link.inner_text().startswith("Signaler" if lang == "fr" else "Report")
    _no_overflow(page, f"feed ({lang})")
    link.click()
    page.wait_for_url(f"{live_server.url}/governance/report/?item={item.pk}")
    _no_overflow(page, f"report ({lang})")
    assert_accessible(page, f"report ({lang})")
    page.fill("#id_reason", "Le lien ne marche pas")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/governance/report/thanks/")
    case = ModerationCase.objects.get()
    assert case.object_id == str(item.pk) and case.flag_reason == "Le lien ne marche pas"


@pytest.mark.parametrize("size", SIZES)
def test_the_first_run_page(new_page: Any, live_server: Any, size: str) -> None:
    from portevoix.accounts.models import User
    from tests.browser.test_content_flow import log_in

    User.objects.create_superuser("root@platform.example", factories.PASSWORD)
    page = new_page(viewport=SIZES[size])
    _in(page, live_server, "fr")
    log_in(page, live_server, "root@platform.example", "/setup/organization/")
    _no_overflow(page, f"first run ({size})")
    assert_accessible(page, f"first run ({size})")
