"""The home of each role (`/`), on a desktop (1366x900) and a phone (390x844), in English
and in French: it does not overflow sideways, and axe-core finds no serious or critical
violation. The organization has data in every section (drafts, items in review and expiring,
suggestions and reports, an account to reconnect, a crisis pause, alerts, shares in both
periods, a pending invitation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.core import clock
from portevoix.governance.models import ModerationCase
from portevoix.notifications.models import Notification
from portevoix.publishing import services as publishing_services
from portevoix.publishing.models import Connection, ConnectionStatus
from tests import factories
from tests.analytics import events
from tests.browser.axe import axe_source, axe_violations, describe
from tests.browser.test_accessibility import switch_language
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = {
    "content@acme.test": (Role.CONTENT_MANAGER,),
    "approver@acme.test": (Role.APPROVER,),
    "final@acme.test": (Role.FINAL_APPROVER,),
    "community@acme.test": (Role.COMMUNITY_MANAGER,),
    "analyst@acme.test": (Role.ANALYST,),
    "executive@acme.test": (Role.EXECUTIVE,),
    "admin@acme.test": (Role.ADMIN,),
    "member@acme.test": (),
}


def build_organization() -> None:
    """An organization with something in every section of every home."""
    org = factories.make_org("Acme")
    people = {
        email: factories.make_member(org, *roles, email=email) for email, roles in ROLES.items()
    }
    manager, approver = people["content@acme.test"], people["approver@acme.test"]
    community, admin = people["community@acme.test"], people["admin@acme.test"]
    factories.make_item(
        manager, title="Brouillon : notre rapport RSE 2026 avec un titre assez long"
    )
    for title in ("Nous recrutons à Lyon", "Salon VivaTech : venez nous voir"):
        item = factories.make_item(manager, title=title)
        content_services.item_submit(membership=manager, item=item)
    back = content_services.item_submit(
        membership=manager, item=factories.make_item(manager, title="Webinaire cybersécurité")
    )
    content_services.item_request_changes(membership=approver, item=back, comment="Plus court")
    ending = factories.make_live_item(
        manager,
        approver,
        title="Offre d'emploi : data analyst",
        expire_at=clock.now() + dt.timedelta(days=2),
    )
    now = clock.now()
    for source, text in (
        ("suggestion", "Parler de notre nouvelle usine de Lyon et de ses 200 emplois"),
        ("report", "Un partage avec un commentaire déplacé"),
        ("warning", "Un texte avec un avertissement de la charte"),
    ):
        ModerationCase.objects.create(
            organization=org,
            source=source,
            text=text,
            object_type="content.item",
            object_id=str(ending.pk),
            created_at=now,
        )
    owner = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    Connection.objects.create(
        organization=org,
        membership=owner,
        network="linkedin",
        account_id="a1",
        handle="camille-martin-sur-linkedin",
        tokens_encrypted="x",
        status=ConnectionStatus.NEEDS_RECONNECT,
        created_at=now,
        updated_at=now,
    )
    Notification.objects.create(
        organization=org,
        membership=community,
        kind="reconnect",
        title="Un compte connecté doit être reconnecté",
        url="/me/accounts/",
        dedupe_key="b1",
        created_at=now,
    )
    publishing_services.pause_start(actor=community, reason="Incident sur le site de Lyon")
    local = timezone.localtime(now)
    for days in (1, 3, 5, 40):
        share = events.share(owner, ending, "x", local - dt.timedelta(days=days), audience=120)
    events.click(share.link, local - dt.timedelta(days=39), "v1")
    account_services.invitation_create(actor=admin, email="new@acme.test", roles=[])


def width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_roles_home_fits_and_is_accessible(new_page, live_server, viewport, language):
    axe_source()
    build_organization()
    size = VIEWPORTS[viewport]
    found: list[str] = []
    for email in ROLES:
        page = new_page(viewport=size)
        log_in(page, live_server, email, "/")
        if language != "en":
            switch_language(page, language)
        lang = page.locator("html").get_attribute("lang")
        assert lang == language, f"{email}: {page.url} {page.title()} {lang}"
        assert page.locator("main h1").count() == 1
        assert width(page) <= size["width"], f"{email}: {width(page)} px wide at {size['width']}"
        violations = axe_violations(page)
        if violations:
            found.append(describe(violations, f"/ as {email} ({language}, {viewport})"))
        page.context.close()
    assert not found, "\n\n".join(found)


def test_the_ambassador_alone_lands_on_the_feed(new_page, live_server):
    build_organization()
    page = new_page(viewport=VIEWPORTS["phone"])
    page.goto(f"{live_server.url}/login/?next=/")
    page.fill("input[name=username]", "ambassador@acme.test")
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/feed/")
    assert width(page) <= 390
