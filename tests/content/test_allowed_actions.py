"""The content workflow's state machine, as a selector (moved out of the views, issue 9)."""

from __future__ import annotations

from portevoix.content import selectors, services
from tests.factories import make_item


def _allowed(actions: dict[str, bool]) -> set[str]:
    return {name for name, allowed in actions.items() if allowed}


def test_draft_for_its_author_and_an_approver(manager, approver):
    item = make_item(manager)
    assert _allowed(selectors.item_allowed_actions(membership=manager, item=item)) == {
        "edit",
        "submit",
        "comment",
        "archive",
    }
    # An approver cannot approve a draft, nor edit it.
    assert "approve" not in _allowed(selectors.item_allowed_actions(membership=approver, item=item))
    assert "edit" not in _allowed(selectors.item_allowed_actions(membership=approver, item=item))


def test_in_review_then_approved_by_me(org, manager, approver):
    org.approvals_required = 2
    org.save()
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    item.refresh_from_db()
    before = _allowed(selectors.item_allowed_actions(membership=approver, item=item))
    assert {"approve", "request_changes", "comment"} <= before
    assert "submit" not in before
    services.item_approve(membership=approver, item=item)
    item.refresh_from_db()
    # Read from the database when the caller does not say: no second approval by the same person.
    after = _allowed(selectors.item_allowed_actions(membership=approver, item=item))
    assert "approve" not in after and "request_changes" in after
    forced = selectors.item_allowed_actions(membership=approver, item=item, approved_by_me=False)
    assert forced["approve"] is True


def test_archived_can_only_be_restored(manager):
    item = make_item(manager)
    services.item_archive(membership=manager, item=item)
    item.refresh_from_db()
    allowed = _allowed(selectors.item_allowed_actions(membership=manager, item=item))
    assert allowed == {"restore", "comment"}


def test_plain_member_may_do_nothing(manager, member):
    item = make_item(manager)
    assert _allowed(selectors.item_allowed_actions(membership=member, item=item)) == set()
