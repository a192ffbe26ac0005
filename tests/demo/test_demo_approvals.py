"""The demo's approvals queue (demo/extra_approvals.py): the demo approver has at least two
items waiting, one of them overdue and one edited since its approval (so its diff shows)."""

from __future__ import annotations

import pytest

from portevoix.accounts.models import Membership
from portevoix.content import review
from portevoix.core.tenancy import scoped
from tests.demo.test_load_demo import demo  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_approver_has_a_queue_worth_showing(demo):  # noqa: F811
    org, _output = demo
    approver = scoped(Membership, org).get(user__email="approbation@demo.portevoix.org")
    queue = review.approvals_queue(membership=approver)
    assert queue.total >= 2
    assert any(entry.due == "overdue" for entry in queue.entries)
    edited = [entry for entry in queue.entries if not entry.diff.first]
    assert edited
    assert {"title", "body", "publish_at"} <= {c.key for c in edited[0].diff.changes}
