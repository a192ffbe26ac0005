"""The digest preview in a real browser, in English and French, on a phone (390 px) and a
desktop (1366 px): not empty, nothing widens the page, axe-core finds no serious or critical
violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PATH = "/notifications/digest/preview/"


@pytest.fixture
def data(db: Any) -> Any:
    from portevoix.accounts.roles import Role

    org = factories.make_org("Acme")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    factories.make_live_item(
        manager,
        approver,
        title="Une annonce au titre assez long pour passer à la ligne sur un téléphone étroit",
        important=True,
    )
    factories.make_live_item(manager, approver, title="Second article", language="en")
    return org


@pytest.mark.parametrize("size", list(SIZES))
def test_the_digest_preview_fits_and_passes_axe_in_both_languages(
    new_page, live_server, data, size
):
    axe_source()
    viewport = SIZES[size]
    page = new_page(viewport=viewport)
    log_in(page, live_server, "ambassador@acme.test", PATH)
    found, widths = [], {}
    for language in ("en", "fr"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}{PATH}?language={language}")
        page.wait_for_selector(f"html[lang={language}]")
        preview = page.locator(".digest-preview")
        text = preview.inner_text()
        assert "Une annonce" in text
        assert ("Bonjour" if language == "fr" else "Hello") in text
        assert page.locator(".digest-preview a[href*='/m/s/']").count() >= 2
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        widths[language] = page.evaluate("document.documentElement.scrollWidth")
        violations = axe_violations(page)
        if violations:
            found.append(describe(violations, f"{PATH} ({language}, {size})"))
    assert widths == dict.fromkeys(widths, viewport["width"])
    assert not found, "\n".join(found)
