"""`approvals_waiting_for`: what waits for a member's signature, oldest submission first."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts.roles import Role
from portevoix.content import selectors, services
from tests.factories import make_item, make_member

pytestmark = pytest.mark.django_db


def _submitted(manager, at: dt.datetime, title: str):
    item = make_item(manager, title=title)
    services.item_submit(membership=manager, item=item)
    item.transitions.filter(action="submit").update(at=at)
    return item


def test_oldest_first_and_not_after_my_approval(org, manager, approver):
    org.approvals_required = 2
    org.save()
    base = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    newer = _submitted(manager, base + dt.timedelta(hours=2), "Newer")
    older = _submitted(manager, base, "Older")
    assert list(selectors.approvals_waiting_for(membership=approver)) == [older, newer]
    assert selectors.approvals_waiting_count(membership=approver) == 2
    services.item_approve(membership=approver, item=older)
    assert list(selectors.approvals_waiting_for(membership=approver)) == [newer]
    # The item still waits for a second approver.
    second = make_member(org, Role.APPROVER)
    assert list(selectors.approvals_waiting_for(membership=second)) == [older, newer]


def test_final_approver_sees_both_steps_and_approvers_only_the_regular_one(
    org, manager, approver, final_approver
):
    org.final_approval_required = True
    org.save()
    item = _submitted(manager, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), "Item")
    # A final approver may also give a regular approval (the service accepts it).
    assert list(selectors.approvals_waiting_for(membership=final_approver)) == [item]
    services.item_approve(membership=approver, item=item)
    assert list(selectors.approvals_waiting_for(membership=final_approver)) == [item]
    # The regular approvals are in: only the final signature is missing.
    other_approver = make_member(org, Role.APPROVER)
    assert selectors.approvals_waiting_count(membership=other_approver) == 0


def test_own_items_drafts_and_other_roles_never_wait(org, manager, approver, ambassador, outsider):
    both = make_member(org, Role.CONTENT_MANAGER, Role.APPROVER)
    _submitted(both, dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), "Mine")
    make_item(manager, title="A draft")
    assert selectors.approvals_waiting_count(membership=both) == 0
    assert selectors.approvals_waiting_count(membership=approver) == 1
    assert selectors.approvals_waiting_count(membership=ambassador) == 0
    assert selectors.approvals_waiting_count(membership=manager) == 0
    outsider_approver = make_member(outsider.organization, Role.APPROVER)
    assert selectors.approvals_waiting_count(membership=outsider_approver) == 0
