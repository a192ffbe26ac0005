"""The app shell's navigation (accounts/navigation.py): which groups, links and tabs each role
sees, the current page and section, and the shell as rendered (desktop groups, phone tab bar,
the "Me" page) for an ambassador, an admin, a content manager and an outsider."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.navigation import navigation_for
from portevoix.accounts.roles import Role
from tests import factories
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db

PERSONAL = [
    "profile",
    "my_figures",
    "my_points",
    "accounts",
    "best_time",
    "charter",
    "notifications",
    "signature",
    "security",
    "my_data",
    "tokens",
]
PROGRAM = ["people", "teams", "training", "events", "ideas", "charter"]
# Every member may redeem rewards: its link closes the Program group.
REWARDS = ["rewards"]


def test_an_ambassador_sees_share_program_insights_and_me(ambassador):
    nav = navigation_for(ambassador)
    assert nav.outline() == {
        "share": ["feed", "my_shares", "my_posts"],
        "program": [*PROGRAM, *REWARDS],
        "insights": ["my_figures"],
        "tabs": ["feed", "shares", "learn", "me"],
        "me": PERSONAL,
    }


def test_an_ambassador_never_has_api_tokens_among_the_groups_or_tabs(ambassador):
    nav = navigation_for(ambassador)
    shown = [link.key for group in nav.groups for link in group.links]
    assert "tokens" not in shown
    assert "tokens" not in [tab.key for tab in nav.tabs]
    assert "tokens" in [link.key for link in nav.me]


def test_an_admin_sees_every_group_and_tokens_among_the_settings(admin):
    outline = navigation_for(admin).outline()
    assert outline["share"] == ["my_shares"]  # everyone's shares; no feed, no posts of their own
    assert outline["content"] == [
        "library",
        "calendar",
        "topics",
        "listening",
        "curation",
        "fairplay",
        "guardrails",
        "pause",
        "cadence",
    ]
    assert outline["program"] == [
        *PROGRAM,
        "charter_versions",
        "acknowledgements",
        "courses",
        "training_reports",
        *REWARDS,
        "reward_requests",
        "surveys_manage",
    ]
    assert outline["insights"] == ["analytics", "goals", "reports", "all_shares", "audit"]
    assert outline["settings"] == [
        "settings_hub",
        "settings",
        "tracking",
        "apps",
        "push_policy",
        "tokens",
    ]
    assert outline["tabs"] == ["home", "library", "analytics", "me"]
    assert outline["me"] == ["profile", "charter", "notifications", "security", "my_data", "tokens"]


def test_a_content_manager_sees_content_and_analytics_but_no_settings(manager):
    outline = navigation_for(manager).outline()
    assert "share" not in outline
    assert "settings" not in outline
    assert outline["content"] == ["library", "calendar", "topics", "curation"]
    assert outline["program"] == [*PROGRAM, "courses", *REWARDS]
    assert outline["insights"] == ["analytics", "goals", "reports"]
    assert outline["tabs"] == ["home", "library", "analytics", "me"]


def test_a_community_manager_gets_moderation_in_the_tab_bar(org):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    outline = navigation_for(community).outline()
    assert outline["content"] == [
        "library",
        "calendar",
        "moderation",
        "listening",
        "fairplay",
        "guardrails",
        "pause",
        "cadence",
    ]
    assert outline["tabs"] == ["home", "library", "moderation", "me"]


def test_a_member_without_a_role_gets_home_learn_and_me(member):
    outline = navigation_for(member).outline()
    assert outline == {
        "program": [*PROGRAM, *REWARDS],
        "tabs": ["home", "learn", "me"],
        "me": ["profile", "charter", "notifications", "security", "my_data", "tokens"],
    }


def test_an_admin_who_is_also_an_ambassador_has_the_feed_tabs_and_both_figures(admin):
    services.ambassador_opt_in(
        membership=admin,
        data=services.EnrolmentData(languages=["fr"], help_with=["sharing"], topic_ids=[]),
    )
    outline = navigation_for(admin).outline()
    assert outline["share"] == ["feed", "my_shares", "my_posts"]
    assert outline["insights"] == ["analytics", "goals", "reports", "all_shares", "audit"]
    assert outline["tabs"] == ["feed", "shares", "learn", "me"]
    assert "my_figures" in outline["me"]


def test_no_membership_or_an_inactive_one_has_no_navigation(member):
    assert navigation_for(None).outline() == {"tabs": [], "me": []}
    member.is_active = False
    assert navigation_for(member).outline() == {"tabs": [], "me": []}


def test_the_current_page_and_section(ambassador):
    nav = navigation_for(ambassador, "training:course")
    tabs = {tab.key: tab.current for tab in nav.tabs}
    assert tabs == {"feed": "", "shares": "", "learn": "true", "me": ""}
    program = next(group for group in nav.groups if group.key == "program")
    assert program.current
    assert {link.key: link.current for link in program.links}["training"] == "true"

    nav = navigation_for(ambassador, "content:feed")
    assert [tab.current for tab in nav.tabs] == ["page", "", "", ""]
    assert nav.groups[0].current and not nav.groups[1].current

    nav = navigation_for(ambassador, "publishing:posts")
    assert [tab.current for tab in nav.tabs] == ["", "true", "", ""]

    nav = navigation_for(ambassador, "accounts:tokens")
    assert [tab.current for tab in nav.tabs] == ["", "", "", "true"]
    assert nav.me_current == "true"
    assert navigation_for(ambassador, "accounts:me").me_current == "page"


def test_every_link_of_every_role_opens(client, org, admin, ambassador):
    """Each link the navigation shows opens for that member (no link to a 403 page)."""
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    for membership in (admin, ambassador, community):
        client.force_login(membership.user)
        nav = navigation_for(membership)
        links = [*(link for g in nav.groups for link in g.links), *nav.tabs, *nav.me]
        for url in {link.url for link in links}:
            response = client.get(url)
            assert response.status_code == 200, (membership, url, response.status_code)


# --- The shell as rendered


def _links_of(html: str, css_class: str) -> list[str]:
    """The hrefs inside the first element with `css_class` (up to its closing tag)."""
    start = html.index(f'class="{css_class}')
    tag = html[html.rindex("<", 0, start) + 1 : start].split()[0]
    end = html.index(f"</{tag}>", start)
    return re.findall(r'href="([^"]+)"', html[start:end])


def test_the_ambassador_shell_as_rendered(client, ambassador):
    client.force_login(ambassador.user)
    html = page_text(client.get(reverse("content:feed")))
    desktop = _links_of(html, "mainnav")
    assert reverse("accounts:tokens") not in desktop
    assert reverse("content:feed") in desktop
    assert '<summary class="is-current">Share</summary>' in html
    tabs = _links_of(html, "tabbar")
    assert tabs == [
        reverse("content:feed"),
        reverse("sharing:my_shares"),
        reverse("training:index"),
        reverse("accounts:me"),
    ]
    assert f'<a href="{reverse("content:feed")}" aria-current="page"><svg' in html
    assert '<body class="has-tabbar">' in html
    # The personal links are in the "Me" menu, with the language switch and log out.
    me_menu = _links_of(html, "navmenu me-menu")
    assert reverse("accounts:tokens") in me_menu
    assert reverse("accounts:enrol") in me_menu
    assert 'id="lang-select-desktop"' in html and 'id="lang-select-phone"' in html
    assert html.count(f'action="{reverse("accounts:logout")}"') == 2
    assert 'class="skip-link" href="#main"' in html


def test_the_dashboard_quick_links_point_to_me_not_to_api_tokens(client, ambassador):
    client.force_login(ambassador.user)
    html = page_text(client.get(reverse("accounts:dashboard")))
    main = html[html.index("<main") : html.index("</main>")]
    assert reverse("accounts:tokens") not in main
    assert f'href="{reverse("accounts:me")}"' in main


def test_the_me_page(client, org, ambassador):
    client.force_login(ambassador.user)
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 200
    html = page_text(response)
    main = html[html.index("<main") : html.index("</main>")]
    for name in (
        "accounts:enrol",
        "analytics:me",
        "governance:charter",
        "privacy:my_data",
        "accounts:tokens",
    ):
        assert f'href="{reverse(name)}"' in main
    assert 'id="lang-select-me"' in main
    assert f'action="{reverse("accounts:logout")}"' in main
    assert f"You work in {org.name}." in main
    assert f'action="{reverse("accounts:org_switch")}"' not in main
    # The Me tab is the current page.
    assert f'<a href="{reverse("accounts:me")}" aria-current="page"><svg' in html


def test_the_me_page_switches_organization_when_there_are_several(client, ambassador):
    second = factories.make_org("Second")
    services.membership_add(organization=second, user=ambassador.user, roles=[])
    client.force_login(ambassador.user)
    html = page_text(client.get(reverse("accounts:me")))
    assert f'action="{reverse("accounts:org_switch")}"' in html
    assert "Second" in html


def test_the_me_page_in_french(client, member):
    client.force_login(member.user)
    html = page_text(client.get(reverse("accounts:me"), headers={"accept-language": "fr"}))
    assert "<h1>Moi</h1>" in html
    assert "Devenir ambassadeur" in html


def test_anonymous_visitors_have_no_navigation(client):
    html = page_text(client.get(reverse("accounts:login")))
    assert 'class="mainnav"' not in html
    assert 'class="tabbar"' not in html
    assert 'id="lang-select"' in html
    assert reverse("accounts:me") not in html
    assert client.get(reverse("accounts:me")).status_code == 302


def test_an_outsider_sees_only_their_own_organization(client, outsider, org):
    client.force_login(outsider.user)
    html = page_text(client.get(reverse("accounts:me")))
    assert org.name not in html
    assert outsider.organization.name in html
