"""The member hears of each answer to their request (notifications, above rewards, receives
`rewards.signals.redemption_decided`), once, after the commit."""

from __future__ import annotations

import pytest

from portevoix.notifications.models import Notification
from portevoix.rewards import services
from tests.rewards.conftest import give_points

pytestmark = pytest.mark.django_db


def test_approval_fulfilment_and_refusal_are_notified(
    admin, ambassador, reward, django_capture_on_commit_callbacks
):
    give_points(ambassador, 60)
    first = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_approve(actor=admin, pk=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_fulfil(actor=admin, pk=first.pk)
    second = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.redemption_refuse(actor=admin, pk=second.pk, reason="Plus de stock")
    notices = list(Notification.objects.filter(membership=ambassador, kind="reward").order_by("pk"))
    assert [n.dedupe_key for n in notices] == [
        f"redemption:{first.pk}:approved",
        f"redemption:{first.pk}:fulfilled",
        f"redemption:{second.pk}:refused",
    ]
    assert reward.title in notices[0].title
    assert "Plus de stock" in notices[2].body
    assert all(n.url == "/rewards/mine/" for n in notices)


def test_nothing_is_notified_for_a_rolled_back_answer(admin, ambassador, reward):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    services.redemption_approve(actor=admin, pk=redemption.pk)  # the test's transaction: no commit
    assert not Notification.objects.filter(kind="reward").exists()
