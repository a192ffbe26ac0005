"""Email signatures and the Slack and Teams page in a real browser, on a phone (390x844)
and a desktop (1366x900), in English and French: nothing widens the page and axe-core finds
no serious or critical violation. The ambassador's preview shows their signature with the
banner through their own tracked link; "Copy the HTML code" copies it."""

from __future__ import annotations

from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.notifications import signatures
from portevoix.notifications.chat import services as chat_services
from portevoix.sharing.models import TrackedLink
from tests import factories
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ADMIN_PAGES = ["/notifications/chat/", "/settings/signature/"]
AMBASSADOR_PAGES = ["/me/signature/"]


@pytest.fixture
def data(db: Any) -> Any:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="admin@acme.test")
    approver = factories.make_member(org, Role.APPROVER)
    ambassador = factories.make_member(org, email="amb@acme.test", ambassador=True)
    ambassador.title = "Ingénieure logicielle principale, équipe plateforme"
    ambassador.save(update_fields=["title"])
    item = factories.make_live_item(admin, approver, title="Campagne de printemps")
    for kind, name in (
        ("slack", "#ambassadeurs-et-ambassadrices-du-programme"),
        ("teams", "Annonces"),
    ):
        chat_services.connection_create(
            actor=admin,
            data=chat_services.ConnectionData(
                kind=kind,
                name=name,
                webhook_url=f"https://hooks.example.com/{kind}/T000/B000/{'x' * 60}",
                events=["live", "important", "digest", "challenge", "goal"],
            ),
        )
    signatures.signature_settings_update(
        actor=admin,
        data=signatures.SignatureData(
            urls={
                "website_url": "https://acme.test",
                "linkedin_url": "https://www.linkedin.com/company/acme",
                "x_url": "https://x.com/acme",
                "facebook_url": "https://www.facebook.com/acme",
                "instagram_url": "https://www.instagram.com/acme",
                "youtube_url": "https://www.youtube.com/@acme",
                "banner_image_url": "http://127.0.0.1:1/banner.png",
            },
            banner_alt="Nous recrutons",
            banner_item_id=item.pk,
        ),
    )
    return ambassador


def _check(page: Any, live_server: Any, paths: list[str], size: str) -> tuple[dict, list]:
    widths, found = {}, []
    for language in ("en", "fr"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector(f"html[lang={language}]")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            widths[(language, path)] = page.evaluate("document.documentElement.scrollWidth")
            violations = axe_violations(page)
            if violations:
                found.append(describe(violations, f"{path} ({language}, {size})"))
    return widths, found


@pytest.mark.parametrize("size", list(SIZES))
def test_signature_and_chat_pages_fit_and_pass_axe(new_page, live_server, data, size):
    axe_source()
    viewport = SIZES[size]
    admin_page = new_page(viewport=viewport)
    log_in(admin_page, live_server, "admin@acme.test", ADMIN_PAGES[0])
    widths, found = _check(admin_page, live_server, ADMIN_PAGES, size)
    ambassador_page = new_page(viewport=viewport)
    log_in(ambassador_page, live_server, "amb@acme.test", AMBASSADOR_PAGES[0])
    more_widths, more_found = _check(ambassador_page, live_server, AMBASSADOR_PAGES, size)
    widths.update(more_widths)
    assert widths == dict.fromkeys(widths, viewport["width"])
    assert not found + more_found, "\n".join(found + more_found)


def test_the_preview_carries_the_ambassadors_own_link_and_copies(new_page, live_server, data):
    page = new_page(viewport=SIZES["phone"])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server, "amb@acme.test", "/me/signature/")
    link = TrackedLink.objects.get(membership=data)
    banner = page.locator("#signature-preview a:has(img)")
    assert banner.get_attribute("href").endswith(f"/l/{link.code}")
    assert "Ingénieure logicielle principale" in page.locator("#signature-preview").inner_text()
    page.get_by_role("button", name="Copy the HTML code").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("<table") and f"/l/{link.code}" in copied
    page.get_by_role("button", name="Copy the signature").click()
    page.wait_for_selector("#signature-status:has-text('Copied')")
