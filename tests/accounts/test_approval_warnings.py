"""The approver staffing rules of the settings page, as a selector (issue 9)."""

from __future__ import annotations

from portevoix.accounts import selectors
from portevoix.accounts.roles import Role
from tests.factories import make_member


def test_enough_approvers_no_warning(org, admin, approver):
    org.approvals_required = 1
    org.final_approval_required = False
    org.save()
    assert selectors.approval_staffing_warnings(membership=admin) == []


def test_too_few_approvers_and_no_final_approver(org, admin, approver):
    org.approvals_required = 2
    org.final_approval_required = True
    org.save()
    warnings = selectors.approval_staffing_warnings(membership=admin)
    assert len(warnings) == 2
    assert "final approver" in warnings[0]
    assert "Approvals required: 2; people who can approve: 1." in warnings[1]


def test_final_approver_counts_as_an_approver(org, admin, approver):
    make_member(org, Role.FINAL_APPROVER)
    org.approvals_required = 2
    org.final_approval_required = True
    org.save()
    assert selectors.approval_staffing_warnings(membership=admin) == []


def test_other_organizations_do_not_count(org, other_org, admin, outsider):
    make_member(other_org, Role.APPROVER)
    make_member(other_org, Role.FINAL_APPROVER)
    org.approvals_required = 1
    org.save()
    assert len(selectors.approval_staffing_warnings(membership=admin)) == 1
