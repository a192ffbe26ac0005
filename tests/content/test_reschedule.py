"""content.services.schedule.item_reschedule: moving an item on the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.content import services
from portevoix.content.models import State, Transition
from portevoix.content.services.schedule import item_reschedule
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def later(days: int, hour: int = 9) -> dt.datetime:
    return (clock.now() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def scheduled_item(manager, approver, **overrides):
    return factories.make_live_item(
        manager, approver, publish_at=later(3), expire_at=later(5, 18), **overrides
    )


def test_a_move_keeps_the_live_period_and_records_a_transition(manager, approver):
    item = scheduled_item(manager, approver)
    assert item.state == State.APPROVED
    moved = item_reschedule(membership=manager, item=item, publish_at=later(10))
    assert moved.publish_at == later(10)
    assert moved.expire_at == later(12, 18)  # two days and nine hours, as before
    assert moved.state == State.APPROVED  # the organization keeps approvals by default
    assert moved.live_at == later(10)
    assert moved.revision == item.revision
    last = Transition.objects.filter(item=item).last()
    assert last is not None
    assert (last.action, last.from_state, last.to_state, last.actor_id) == (
        "reschedule",
        State.APPROVED,
        State.APPROVED,
        manager.user_id,
    )


def test_a_live_item_moved_later_is_scheduled_again(manager, approver):
    item = factories.make_live_item(manager, approver)
    assert item.state == State.LIVE
    moved = item_reschedule(membership=manager, item=item, publish_at=later(2))
    assert moved.state == State.APPROVED
    assert moved.live_at == later(2)
    assert Transition.objects.filter(item=item, action="reschedule", to_state="approved").exists()


def test_when_the_organization_says_so_an_approved_item_goes_back_to_review(
    org, admin, manager, approver
):
    account_services.organization_update(
        actor=admin, organization=org, reschedule_requires_review=True
    )
    manager.organization.refresh_from_db()
    item = scheduled_item(manager, approver)
    moved = item_reschedule(membership=manager, item=item, publish_at=later(10))
    assert moved.state == State.IN_REVIEW
    assert moved.revision == item.revision + 1  # earlier approvals no longer count
    last = Transition.objects.filter(item=item).last()
    assert last is not None and (last.action, last.to_state) == ("reschedule", State.IN_REVIEW)


def test_a_draft_moves_and_stays_a_draft(manager):
    item = factories.make_item(manager, publish_at=later(3))
    moved = item_reschedule(membership=manager, item=item, publish_at=later(4))
    assert (moved.state, moved.publish_at, moved.expire_at) == (State.DRAFT, later(4), None)


def test_the_same_date_changes_nothing(manager, approver):
    item = scheduled_item(manager, approver)
    count = Transition.objects.filter(item=item).count()
    item_reschedule(membership=manager, item=item, publish_at=item.publish_at)
    assert Transition.objects.filter(item=item).count() == count


def test_refused_moves(manager, approver, outsider, ambassador, org):
    item = scheduled_item(manager, approver)
    with pytest.raises(DomainError) as past:
        item_reschedule(membership=manager, item=item, publish_at=later(-1))
    assert "publish_at" in past.value.field_errors
    with pytest.raises(DomainError):
        item_reschedule(membership=manager, item=item, publish_at=dt.datetime(2030, 1, 1, 9))
    for who in (approver, ambassador, outsider):  # no content.edit, or another organization
        with pytest.raises(PermissionDenied):
            item_reschedule(membership=who, item=item, publish_at=later(10))
    services.item_archive(membership=manager, item=item)
    item.refresh_from_db()
    with pytest.raises(Conflict):
        item_reschedule(membership=manager, item=item, publish_at=later(10))
    item.refresh_from_db()
    assert item.publish_at == later(3)


def test_the_organization_setting_is_on_its_form(client, admin, org):
    client.force_login(admin.user)
    url = reverse("accounts:org_settings")
    assert 'name="reschedule_requires_review"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": org.name,
            "default_language": "fr",
            "approvals_required": "1",
            "reschedule_requires_review": "on",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.reschedule_requires_review is True


def test_the_history_names_the_move(client, manager, approver):
    item = scheduled_item(manager, approver)
    item_reschedule(membership=manager, item=item, publish_at=later(10))
    client.force_login(manager.user)
    html = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert "Moved on the calendar" in html
