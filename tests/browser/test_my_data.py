""" "My data" on a phone (390x844), in English and French: nothing widens the page, axe-core
finds no serious or critical violation, before and after the archive is prepared; the
archive's link downloads a zip."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def ambassador(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    org = factories.make_org("Acme")
    member = factories.make_member(org, email="amb@acme.test", ambassador=True)
    member.title = "Ingénieure logicielle principale, équipe plateforme"
    member.save(update_fields=["title"])
    return member


def log_in(page: Any, live_server: Any, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def _check(page: Any, live_server: Any, label: str) -> tuple[dict[str, int], list[str]]:
    widths, found = {}, []
    for language in ("en", "fr"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/me/data/")
        page.wait_for_selector(f"html[lang={language}]")
        widths[f"{language} {label}"] = page.evaluate("document.documentElement.scrollWidth")
        violations = axe_violations(page)
        if violations:
            found.append(describe(violations, f"/me/data/ ({language}, {label})"))
    return widths, found


def test_my_data_on_a_phone_in_both_languages(new_page, live_server, ambassador):
    axe_source()
    page = new_page(viewport=PHONE)
    log_in(page, live_server, "amb@acme.test", "/me/data/")
    widths, found = _check(page, live_server, "before")
    assert "Préparer mon archive" in page.content()
    page.get_by_role("button", name="Préparer mon archive").click()
    page.wait_for_selector("a[download]")
    more_widths, more_found = _check(page, live_server, "ready")
    widths.update(more_widths)
    assert widths == dict.fromkeys(widths, PHONE["width"])
    assert not found + more_found, "\n".join(found + more_found)
    with page.expect_download() as info:
        page.locator("a[download]").click()
    assert info.value.suggested_filename == "portevoix-my-data.zip"
