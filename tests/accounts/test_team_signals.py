"""accounts.signals: other apps hear of team changes through these signals (a declared
surface), whatever code changed the links, and only of links that really changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portevoix.accounts import services
from portevoix.accounts.signals import team_deleted, team_links_changed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def on_links(sender: Any, **kw: Any) -> None:
        calls.append(("links", {k: kw[k] for k in ("organization_id", "membership_id")}))
        calls[-1][1].update(added=sorted(kw["added"]), removed=sorted(kw["removed"]))

    def on_deleted(sender: Any, **kw: Any) -> None:
        calls.append(("deleted", {k: kw[k] for k in ("organization_id", "team_id")}))

    team_links_changed.connect(on_links, dispatch_uid="test_links")
    team_deleted.connect(on_deleted, dispatch_uid="test_deleted")
    yield calls
    team_links_changed.disconnect(dispatch_uid="test_links")
    team_deleted.disconnect(dispatch_uid="test_deleted")


def test_add_remove_and_clear_from_either_side(org, admin, heard):
    member = factories.make_member(org, ambassador=True)
    paris = services.team_create(actor=admin, name="Paris")
    lyon = services.team_create(actor=admin, name="Lyon")
    base = {"organization_id": org.pk, "membership_id": member.pk}
    member.teams.add(paris, lyon)
    assert sorted(c[1]["added"][0] for c in heard) == sorted([paris.pk, lyon.pk])
    heard.clear()
    member.teams.add(paris)  # already linked: nothing changed
    member.teams.remove(paris)
    assert heard == [("links", {**base, "added": [], "removed": [paris.pk]})]
    heard.clear()
    member.teams.remove(paris)  # no longer linked: nothing to say
    assert heard == []
    paris.memberships.add(member)  # the reverse side
    assert heard == [("links", {**base, "added": [paris.pk], "removed": []})]
    heard.clear()
    member.teams.clear()
    assert sorted(c[1]["removed"][0] for c in heard) == sorted([paris.pk, lyon.pk])


def test_the_services_changes_are_heard(org, admin, heard):
    member = factories.make_member(org, ambassador=True)
    paris = services.team_create(actor=admin, name="Paris")
    services.membership_update(actor=admin, membership=member, team_ids=[paris.pk])
    heard.clear()
    services.membership_update(actor=admin, membership=member, team_ids=[])
    assert heard == [
        (
            "links",
            {
                "organization_id": org.pk,
                "membership_id": member.pk,
                "added": [],
                "removed": [paris.pk],
            },
        )
    ]


def test_a_deleted_team_is_heard(org, admin, heard):
    paris = services.team_create(actor=admin, name="Paris")
    team_id = paris.pk
    services.team_delete(actor=admin, team=paris)
    assert ("deleted", {"organization_id": org.pk, "team_id": team_id}) in heard
