"""The "Approvals" link of the navigation and its count (settings.NAV_BADGE_PROVIDERS):
shown to approvers and final approvers only, counted only for them."""

from __future__ import annotations

import pytest
from django.test import Client

from portevoix.accounts.navigation import navigation_for
from portevoix.content import selectors, services
from tests.content._helpers import login
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def _approvals_link(membership):
    for group in navigation_for(membership).groups:
        for link in group.links:
            if link.key == "approvals":
                return link
    return None


def test_the_badge_counts_what_waits_for_the_member(manager, approver):
    assert selectors.approvals_badge(approver).count == 0
    for n in range(2):
        services.item_submit(membership=manager, item=make_item(manager, title=f"Item {n}"))
    badge = selectors.approvals_badge(approver)
    assert badge.count == 2
    assert badge.label == "2 waiting for you"
    link = _approvals_link(approver)
    assert link is not None and link.badge == badge
    assert '<span class="nav-count" aria-hidden="true">2</span>' in str(link.anchor)
    assert "(2 waiting for you)" in str(link.anchor)


def test_approvers_and_final_approvers_have_the_link_in_content(approver, final_approver):
    for membership in (approver, final_approver):
        outline = navigation_for(membership).outline()
        assert outline["content"][:2] == ["library", "approvals"]
        assert outline["tabs"] == ["home", "library", "approvals", "me"]


def test_no_link_and_no_count_for_other_roles(admin, manager, ambassador, member, monkeypatch):
    calls: list[object] = []

    def count(**kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(selectors, "approvals_waiting_count", count)
    for membership in (admin, manager, ambassador, member):
        assert _approvals_link(membership) is None
    assert calls == []


def test_an_empty_queue_shows_no_number(approver):
    link = _approvals_link(approver)
    assert link is not None and "nav-count" not in str(link.anchor)


def test_the_count_is_on_every_page(manager, approver):
    services.item_submit(membership=manager, item=make_item(manager))
    html = login(Client(), approver).get("/library/").content.decode()
    assert (
        'href="/approvals/">Approvals <span class="nav-count" aria-hidden="true">1</span>' in html
    )
