"""Redemptions hold points in recognition's ledger and release them; stock, budget,
first-redemption approval, team visibility, refusal reasons."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.recognition import selectors as recognition_selectors
from portevoix.recognition.models import PointEntry, PointTotal
from portevoix.rewards import selectors, services
from portevoix.rewards.models import RedemptionStatus
from tests import factories
from tests.rewards.conftest import configure, give_points, make_reward, spendable

pytestmark = pytest.mark.django_db


def test_a_request_holds_the_points_and_a_refusal_releases_them(admin, ambassador, reward):
    give_points(ambassador, 45)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert redemption.status == RedemptionStatus.PENDING  # first one: waits for approval
    assert spendable(ambassador) == 15
    hold = PointEntry.objects.get(key=f"redeem:{redemption.pk}")
    assert (hold.lifetime, hold.spendable) == (0, -30)
    # The boards (lifetime points) do not move.
    assert recognition_selectors.balance(membership=ambassador) == (45, 15)
    refused = services.redemption_refuse(actor=admin, pk=redemption.pk, reason="Plus de mugs")
    assert refused.status == RedemptionStatus.REFUSED and refused.reason == "Plus de mugs"
    assert spendable(ambassador) == 45
    release = PointEntry.objects.get(key=f"reverse:redeem:{redemption.pk}")
    assert (release.lifetime, release.spendable) == (0, 30)
    # The ledger and the stored totals agree, every period.
    org_id = ambassador.organization_id
    assert recognition_selectors.stored_totals(
        organization_id=org_id
    ) == recognition_selectors.ledger_sums(organization_id=org_id)


def test_a_refusal_needs_a_reason(admin, ambassador, reward):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    with pytest.raises(DomainError) as caught:
        services.redemption_refuse(actor=admin, pk=redemption.pk, reason="   ")
    assert "reason" in caught.value.field_errors
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.PENDING
    assert spendable(ambassador) == 0


def test_not_enough_points_is_refused_and_holds_nothing(ambassador, reward):
    give_points(ambassador, 27)
    with pytest.raises(DomainError):
        services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert spendable(ambassador) == 27
    assert not PointEntry.objects.filter(rule="redemption").exists()
    assert selectors.my_redemptions(membership=ambassador) == []


def test_a_member_without_points_cannot_redeem(ambassador, reward):
    with pytest.raises(DomainError):
        services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert not PointTotal.objects.filter(membership=ambassador).exists()


def test_approve_then_fulfil_keeps_the_points_spent(admin, ambassador, reward):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    services.redemption_approve(actor=admin, pk=redemption.pk)
    done = services.redemption_fulfil(actor=admin, pk=redemption.pk)
    assert done.status == RedemptionStatus.FULFILLED and done.fulfilled_at is not None
    assert spendable(ambassador) == 0
    with pytest.raises(Conflict):
        services.redemption_refuse(actor=admin, pk=redemption.pk, reason="Trop tard")
    with pytest.raises(Conflict):
        services.redemption_approve(actor=admin, pk=redemption.pk)


def test_the_person_cancels_a_pending_request_only(admin, ambassador, org, reward):
    give_points(ambassador, 60)
    first = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    other = factories.make_member(org, ambassador=True)
    with pytest.raises(NotFound):  # someone else's request
        services.redemption_cancel(membership=other, pk=first.pk)
    cancelled = services.redemption_cancel(membership=ambassador, pk=first.pk)
    assert cancelled.status == RedemptionStatus.CANCELLED
    assert spendable(ambassador) == 60
    with pytest.raises(Conflict):  # twice: once only
        services.redemption_cancel(membership=ambassador, pk=first.pk)
    assert PointEntry.objects.filter(key__endswith=f"redeem:{first.pk}").count() == 2
    second = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    services.redemption_approve(actor=admin, pk=second.pk)
    with pytest.raises(Conflict):  # approved: no longer the person's to cancel
        services.redemption_cancel(membership=ambassador, pk=second.pk)


def test_first_redemption_needs_approval_then_the_next_are_approved(admin, ambassador, reward):
    give_points(ambassador, 90)
    first = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert first.status == RedemptionStatus.PENDING
    assert selectors.catalogue(membership=ambassador).needs_approval
    services.redemption_approve(actor=admin, pk=first.pk)
    second = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert second.status == RedemptionStatus.APPROVED
    assert not selectors.catalogue(membership=ambassador).needs_approval


def test_without_the_approval_option_the_first_is_approved_at_once(admin, ambassador, reward):
    configure(admin, first_needs_approval=False)
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    assert redemption.status == RedemptionStatus.APPROVED


def test_stock_is_taken_and_given_back(admin, org, ambassador):
    reward = make_reward(admin, stock=1)
    other = factories.make_member(org, ambassador=True)
    give_points(ambassador, 30)
    give_points(other, 30)
    mine = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    reward.refresh_from_db()
    assert reward.stock == 0
    with pytest.raises(Conflict):
        services.redemption_request(membership=other, reward_id=reward.pk)
    assert spendable(other) == 30
    services.redemption_refuse(actor=admin, pk=mine.pk, reason="Erreur de stock")
    reward.refresh_from_db()
    assert reward.stock == 1
    services.redemption_request(membership=other, reward_id=reward.pk)


def test_the_monthly_budget_is_never_passed(admin, org, ambassador):
    configure(admin, budget=50, first_needs_approval=False)
    reward = make_reward(admin, cost=30)
    other = factories.make_member(org, ambassador=True)
    give_points(ambassador, 30)
    give_points(other, 30)
    first = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    with pytest.raises(Conflict):
        services.redemption_request(membership=other, reward_id=reward.pk)
    assert selectors.budget(membership=admin).spent == 30
    assert selectors.budget(membership=admin).left == 20
    services.redemption_refuse(actor=admin, pk=first.pk, reason="Budget revu")
    assert selectors.budget(membership=admin).spent == 0
    services.redemption_request(membership=other, reward_id=reward.pk)


def test_team_visibility(admin, org, ambassador):
    sales = account_services.team_create(actor=admin, name="Ventes")
    reward = make_reward(admin, team_ids=[sales.pk], title="Salon")
    everyone = make_reward(admin, title="Mug")
    give_points(ambassador, 30)
    titles = [o.reward.title for o in selectors.catalogue(membership=ambassador).offers]
    assert titles == ["Mug"]
    with pytest.raises(DomainError):
        services.redemption_request(membership=ambassador, reward_id=reward.pk)
    seller = factories.make_member(org, ambassador=True)
    seller.teams.add(sales)
    titles = [o.reward.title for o in selectors.catalogue(membership=seller).offers]
    assert sorted(titles) == ["Mug", "Salon"]
    assert everyone.pk != reward.pk


def test_an_inactive_reward_is_not_offered(admin, ambassador):
    reward = make_reward(admin, active=False)
    give_points(ambassador, 30)
    assert selectors.catalogue(membership=ambassador).offers == []
    with pytest.raises(DomainError):
        services.redemption_request(membership=ambassador, reward_id=reward.pk)


def test_the_catalogue_shows_what_one_can_afford(admin, ambassador):
    make_reward(admin, cost=15, title="Stylo")
    make_reward(admin, cost=30, title="Mug")
    make_reward(admin, cost=15, title="Vide", stock=0)
    give_points(ambassador, 15)
    offers = {o.reward.title: o for o in selectors.catalogue(membership=ambassador).offers}
    assert offers["Stylo"].available
    assert not offers["Mug"].affordable
    assert offers["Vide"].affordable and not offers["Vide"].in_stock


def test_roles(org, admin, ambassador, reward, outsider):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    with pytest.raises(PermissionDenied):
        services.redemption_approve(actor=ambassador, pk=redemption.pk)
    with pytest.raises(PermissionDenied):
        make_reward(ambassador)
    with pytest.raises(NotFound):  # another organization's request
        services.redemption_approve(actor=outsider, pk=redemption.pk)
    with pytest.raises(NotFound):
        services.redemption_request(membership=outsider, reward_id=reward.pk)
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    assert services.redemption_approve(actor=community, pk=redemption.pk).status == "approved"


def test_refusal_and_decisions_send_the_signal_on_commit(
    admin, ambassador, reward, django_capture_on_commit_callbacks
):
    from portevoix.rewards import signals

    heard = []

    def receiver(sender, **kw):
        heard.append((kw["redemption_id"], kw["status"], kw["membership_id"]))

    signals.redemption_decided.connect(receiver, dispatch_uid="test_rewards")
    try:
        give_points(ambassador, 30)
        redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.redemption_refuse(actor=admin, pk=redemption.pk, reason="Non")
    finally:
        signals.redemption_decided.disconnect(dispatch_uid="test_rewards")
    assert heard == [(redemption.pk, "refused", ambassador.pk)]


def test_answers_and_catalogue_changes_are_in_the_audit_log(admin, ambassador, reward):
    from portevoix.core import audit_labels
    from portevoix.governance.models import AuditEntry

    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    services.redemption_refuse(actor=admin, pk=redemption.pk, reason="Non")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rewards.reward_save", "rewards.redemption_refused"} <= actions
    assert all(
        audit_labels.action_label(action) for action in actions if action.startswith("rewards.")
    )
