"""The app shell in a real browser: on a phone (390x844 and 360x740) no page an ambassador
reaches from the navigation overflows sideways, the top bar stays under 15 % of the screen,
the bottom tab bar is there and hides nothing, the Menu opens every group; on a desktop
(1280) the links are grouped by job and API tokens are only in the "Me" menu.

The feed carries a copy with a long URL: it made the feed 413 px wide at 390 (an unbreakable
word in a `white-space: pre-wrap` block widens the page although no element's box does)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from portevoix.accounts.navigation import navigation_for
from portevoix.accounts.roles import Role
from portevoix.content.services import CopyData
from portevoix.core import clock
from portevoix.training import services as training
from tests import factories
from tests.browser.test_content_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = (
    "https://lumen-energie.example.com/blog/autoconsommation-collective-5-questions-et-reponses"
)
PHONES = [(390, 844), (360, 740)]


@dataclass
class Ambassador:
    membership: Any
    item: Any
    event: Any


@pytest.fixture
def ambassador(db: Any) -> Ambassador:
    org = factories.make_org("Lumen Énergie")
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    membership = factories.make_member(org, email="ambassador@acme.test", ambassador=True)
    item = factories.make_live_item(
        manager,
        approver,
        title="L'autoconsommation collective en cinq questions",
        link=LONG_URL,
        copies=[
            CopyData("linkedin", f"Cinq questions, cinq réponses : {LONG_URL}"),
            CopyData("x", f"L'autoconsommation collective expliquée {LONG_URL}"),
        ],
    )
    # An event with a long video link: a grid cell's minimum width was that link (388 px at 360).
    start = clock.now() + dt.timedelta(days=3)
    event = training.event_create(
        actor=factories.make_member(org, Role.ADMIN),
        data=training.EventData(
            title="Coaching LinkedIn",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            video_url="https://visio.example.com/lumen/coaching-linkedin-profil-et-publications",
            description=f"Une heure en petit groupe : {LONG_URL}",
        ),
    )
    return Ambassador(membership, item, event)


def ambassador_paths(ambassador: Ambassador) -> list[str]:
    """Every page of the ambassador's navigation (groups, tabs, Me), their home, the share
    page they reach from the feed and an event's page."""
    nav = navigation_for(ambassador.membership)
    links = [*(link for group in nav.groups for link in group.links), *nav.tabs, *nav.me]
    paths = [reverse("accounts:dashboard"), reverse("accounts:me")]
    paths += [link.url for link in links]
    paths.append(reverse("sharing:share", args=[ambassador.item.pk, "x"]))
    paths.append(reverse("training:event", args=[ambassador.event.pk]))
    return list(dict.fromkeys(paths))


def measure(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const bar = document.querySelector('.tabbar');
          const box = bar && bar.getBoundingClientRect();
          return {
            scroll: document.documentElement.scrollWidth,
            header: document.querySelector('.topbar').getBoundingClientRect().height,
            tabbar: box ? {top: box.top, bottom: box.bottom, height: box.height} : null,
            room: parseFloat(getComputedStyle(document.body).paddingBottom),
            current: [...document.querySelectorAll('.tabbar a[aria-current]')]
              .map(a => a.textContent.trim()),
          };
        }"""
    )


@pytest.mark.parametrize(("width", "height"), PHONES)
def test_no_ambassador_page_overflows_on_a_phone(
    new_page: Any, live_server: Any, ambassador: Any, width: int, height: int
) -> None:
    page = new_page(viewport={"width": width, "height": height})
    paths = ambassador_paths(ambassador)
    log_in(page, live_server, "ambassador@acme.test", paths[0])
    problems = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        seen = measure(page)
        if seen["scroll"] > width:
            problems[path] = f"{seen['scroll']} px wide"
        if seen["header"] >= 0.15 * height:
            problems[path] = f"header {seen['header']} px"
        bar = seen["tabbar"]
        visible = page.locator(".tabbar").is_visible()
        if bar is None or abs(bar["bottom"] - height) > 1 or not visible:
            problems[path] = f"no tab bar at the bottom: {bar}"
        elif seen["room"] < bar["height"]:
            problems[path] = f"{seen['room']} px under the page for a {bar['height']} px bar"
    assert problems == {}
    assert len(paths) >= 16  # the navigation was really walked

    # The feed tab is the current page on the feed; Learn is the current section on a course.
    page.goto(f"{live_server.url}{reverse('content:feed')}")
    assert measure(page)["current"] == ["Feed"]
    assert page.locator(".tabbar a", has_text="Feed").get_attribute("aria-current") == "page"
    # The end of the page is not hidden under the tab bar.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator(".footer").bounding_box()
    bar = page.locator(".tabbar").bounding_box()
    assert footer is not None and bar is not None
    assert footer["y"] + footer["height"] <= bar["y"] + 1


def test_the_phone_menu_opens_every_group_and_closes_with_escape(
    new_page: Any, live_server: Any, ambassador: Any
) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, "ambassador@acme.test", reverse("content:feed"))
    assert not page.locator(".mainnav").is_visible()
    button = page.locator(".phone-menu > summary")
    assert button.is_visible() and button.inner_text().strip() == "Menu"
    button.click()
    menu = page.get_by_role("navigation", name="Menu")
    menu.wait_for()
    for name in ("Home", "Feed", "My shares", "My posts", "Training", "Events", "My figures"):
        assert menu.get_by_role("link", name=name, exact=True).first.is_visible(), name
    assert menu.get_by_role("link", name="API tokens").is_visible()  # under "Me", last
    assert menu.get_by_role("button", name="Log out").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.matches('.phone-menu > summary')")
    # From the menu to a page: the Events link.
    button.click()
    menu.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_url(f"{live_server.url}{reverse('training:events')}")
    assert page.locator(".tabbar a[aria-current]").inner_text().strip() == "Learn"


def test_the_shell_in_french_on_a_phone(new_page: Any, live_server: Any, ambassador: Any) -> None:
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server, "ambassador@acme.test", reverse("accounts:me"))
    # The language switch of the Me page (autosubmits) keeps the member on the page.
    page.select_option("#lang-select-me", "fr")
    page.locator("html[lang=fr]").wait_for()
    assert page.url == f"{live_server.url}{reverse('accounts:me')}"
    labels = [text.strip() for text in page.locator(".tabbar a").all_inner_texts()]
    assert labels == ["Fil", "Mes partages", "Apprendre", "Moi"]
    for path in ambassador_paths(ambassador):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_the_desktop_groups_links_by_job_and_keeps_tokens_under_me(
    new_page: Any, live_server: Any, ambassador: Any
) -> None:
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server, "ambassador@acme.test", reverse("content:feed"))
    nav = page.get_by_role("navigation", name="Main")
    assert nav.is_visible()
    assert not page.locator(".tabbar").is_visible()
    assert not page.locator(".phone-menu").is_visible()
    # The first links: Home, the groups (menus) and the lone "My figures"; no API tokens.
    assert [s.strip() for s in nav.locator("summary").all_inner_texts()] == ["Share", "Program"]
    first = [text.strip() for text in nav.locator(":scope > ul > li > a").all_inner_texts()]
    assert first == ["Home", "My figures"]
    assert nav.get_by_role("link", name="API tokens").count() == 0
    assert page.locator(".mainnav a:visible").count() == 2  # the group menus are closed
    # The current group is marked, its menu lists the current page.
    share = nav.locator("details", has=page.locator("summary", has_text="Share"))
    assert share.locator("summary").get_attribute("class") == "is-current"
    share.locator("summary").click()
    assert share.get_by_role("link", name="Feed").get_attribute("aria-current") == "page"
    # One menu open at a time; the keyboard opens and Escape closes.
    program = nav.locator("details", has=page.locator("summary", has_text="Program"))
    program.locator("summary").focus()
    page.keyboard.press("Enter")
    assert program.get_by_role("link", name="Charter").is_visible()
    assert not share.get_by_role("link", name="Feed").is_visible()
    page.keyboard.press("Escape")
    assert not program.get_by_role("link", name="Charter").is_visible()
    # The personal links, the language switch and log out are in the "Me" menu.
    me = page.locator(".me-menu")
    me.locator("summary").click()
    for name in ("My page", "My ambassador profile", "My figures", "Charter", "API tokens"):
        assert me.get_by_role("link", name=name, exact=True).is_visible(), name
    assert me.get_by_label("Language").is_visible()
    me.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/**")
    assert page.locator(".me-menu").count() == 0
