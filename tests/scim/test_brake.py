"""The safety brake: a sync that would deactivate more than the set share of active members
within the window is refused (409, SCIM error), held, and applied only when an admin confirms."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts.models import Membership
from portevoix.core.errors import DomainError
from portevoix.governance.models import AuditEntry
from portevoix.scim import services
from portevoix.scim.models import Deactivation

pytestmark = pytest.mark.django_db


def _deactivate(scim, membership):
    return scim.patch(f"Users/{membership.pk}", {"op": "replace", "value": {"active": False}})


def test_a_mass_deactivation_is_held_then_confirmed(scim, org, admin, crowd):
    # 12 active members (the owner, the admin, ten more): 40 % is 4.8 people.
    assert Membership.objects.filter(organization=org, is_active=True).count() == 12
    for person in crowd[:4]:
        assert _deactivate(scim, person).status_code == 200
    held = _deactivate(scim, crowd[4])
    assert held.status_code == 409
    body = held.json()
    assert body["status"] == "409" and "safety brake" in body["detail"]
    crowd[4].refresh_from_db()
    assert crowd[4].is_active
    # While one is held, every further deactivation waits too, a DELETE included.
    assert scim.delete(f"Users/{crowd[5].pk}").status_code == 409
    assert _deactivate(scim, crowd[4]).status_code == 409  # a retry: still one pending row
    pending = Deactivation.objects.filter(status="pending")
    assert sorted(p.membership_id for p in pending) == [crowd[4].pk, crowd[5].pk]
    assert AuditEntry.objects.filter(action="scim.deactivation_held").count() == 2
    # Other changes go on.
    assert (
        scim.patch(
            f"Users/{crowd[6].pk}", {"op": "add", "path": "title", "value": "QA"}
        ).status_code
        == 200
    )

    assert services.held_deactivations_decide(membership=admin, confirm=True) == 2
    crowd[4].refresh_from_db()
    crowd[5].refresh_from_db()
    assert not crowd[4].is_active and not crowd[5].is_active
    assert scim.get(f"Users/{crowd[5].pk}").status_code == 404  # it was a DELETE
    assert scim.get(f"Users/{crowd[4].pk}").json()["active"] is False
    assert AuditEntry.objects.filter(action="scim.deactivation_confirm", actor=admin.user).exists()
    # The directory's retry now finds it done.
    assert _deactivate(scim, crowd[4]).status_code == 200


def test_dismiss_keeps_them_active(scim, org, admin, crowd):
    services.directory_settings_update(membership=admin, brake_percent=10, window_hours=24)
    for person in crowd[:2]:
        assert _deactivate(scim, person).status_code == 200  # under the floor of 3
    assert _deactivate(scim, crowd[2]).status_code == 409
    assert services.held_deactivations_decide(membership=admin, confirm=False) == 1
    crowd[2].refresh_from_db()
    assert crowd[2].is_active
    assert Deactivation.objects.get(membership=crowd[2]).status == "dismissed"
    with pytest.raises(DomainError):
        services.held_deactivations_decide(membership=admin, confirm=True)  # nothing waits


def test_the_window_forgets_old_deactivations(scim, org, crowd):
    for person in crowd[:4]:
        assert _deactivate(scim, person).status_code == 200
    Deactivation.objects.update(requested_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _deactivate(scim, crowd[4]).status_code == 200


def test_the_share_is_configurable_per_organization(scim, other_scim, org, admin, crowd):
    services.directory_settings_update(membership=admin, brake_percent=80, window_hours=24)
    for person in crowd[:9]:
        assert _deactivate(scim, person).status_code == 200
    assert _deactivate(scim, crowd[9]).status_code == 409


def test_a_small_organization_is_not_braked_below_three(scim, org, member):
    # Three active members (owner, admin, member): one leaving is 33 %, under the floor.
    assert _deactivate(scim, member).status_code == 200


def test_only_admins_decide(member, admin):
    with pytest.raises(DomainError):
        services.held_deactivations_decide(membership=member, confirm=True)
    with pytest.raises(DomainError):
        services.directory_settings_update(membership=member, brake_percent=50, window_hours=2)
    with pytest.raises(DomainError):
        services.directory_settings_update(membership=admin, brake_percent=0, window_hours=2)
