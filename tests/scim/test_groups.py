"""SCIM Groups are the organization's teams."""

from __future__ import annotations

import pytest

from portevoix.accounts.models import Team
from portevoix.governance.models import AuditEntry
from tests import factories

from .conftest import GROUP_SCHEMA, user_body

pytestmark = pytest.mark.django_db


def _group(name, *member_ids, **extra):
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": str(pk)} for pk in member_ids],
        **extra,
    }


def test_create_get_list_filter(scim, org, member):
    response = scim.post("Groups", _group("Paris", member.pk, externalId="G-1"))
    assert response.status_code == 201, response.content
    body = response.json()
    team = Team.objects.get(pk=body["id"], organization=org)
    assert team.name == "Paris"
    assert list(team.memberships.all()) == [member]
    assert body["members"][0]["value"] == str(member.pk)
    assert body["externalId"] == "G-1"
    assert scim.get(f"Groups/{team.pk}").json()["displayName"] == "Paris"
    scim.post("Groups", _group("Lyon"))
    listed = scim.get("Groups").json()
    assert listed["totalResults"] == 2
    assert {
        r["displayName"]
        for r in scim.get("Groups", filter='displayName eq "paris"').json()["Resources"]
    } == {"Paris"}
    assert scim.get("Groups", filter='externalId eq "G-1"').json()["totalResults"] == 1
    found = scim.get("Groups", filter=f'members.value eq "{member.pk}"').json()
    assert [r["id"] for r in found["Resources"]] == [str(team.pk)]
    assert scim.get("Groups", startIndex=2, count=1).json()["itemsPerPage"] == 1
    assert AuditEntry.objects.filter(action="scim.group_create").count() == 2


def test_duplicate_name_and_foreign_member_refused(scim, member, outsider):
    assert scim.post("Groups", _group("Paris")).status_code == 201
    assert scim.post("Groups", _group("paris")).json()["scimType"] == "uniqueness"
    response = scim.post("Groups", _group("Lyon", outsider.pk))
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert scim.post("Groups", _group("Nice", "abc")).status_code == 400


def test_put_patch_members_and_rename(scim, org):
    ada = scim.post("Users", user_body("ada@acme.com")).json()["id"]
    bob = scim.post("Users", user_body("bob@acme.com")).json()["id"]
    gid = scim.post("Groups", _group("Paris", ada)).json()["id"]
    response = scim.patch(
        f"Groups/{gid}",
        {"op": "add", "path": "members", "value": [{"value": bob}]},
    )
    assert response.status_code == 200, response.content
    assert {m["value"] for m in response.json()["members"]} == {ada, bob}
    response = scim.patch(f"Groups/{gid}", {"op": "remove", "path": f'members[value eq "{ada}"]'})
    assert {m["value"] for m in response.json()["members"]} == {bob}
    response = scim.patch(f"Groups/{gid}", {"op": "replace", "value": {"displayName": "Paris 2"}})
    assert response.json()["displayName"] == "Paris 2"
    response = scim.put(f"Groups/{gid}", _group("Paris 3", ada))
    assert response.status_code == 200
    team = Team.objects.get(pk=gid)
    assert team.name == "Paris 3"
    assert [m.pk for m in team.memberships.all()] == [int(ada)]
    response = scim.patch(f"Groups/{gid}", {"op": "remove", "path": "members"})
    assert "members" not in response.json()
    assert not team.memberships.exists()


def test_delete_removes_the_team_not_its_members(scim, org, member):
    gid = scim.post("Groups", _group("Paris", member.pk)).json()["id"]
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert not Team.objects.filter(pk=gid).exists()
    member.refresh_from_db()
    assert member.is_active
    assert scim.get(f"Groups/{gid}").status_code == 404
    assert AuditEntry.objects.filter(action="scim.group_delete", object_id=gid).exists()


def test_list_query_count_does_not_grow_with_groups(scim, org, django_assert_max_num_queries):
    for n in range(6):
        team = Team.objects.create(organization=org, name=f"T{n}")
        team.memberships.add(factories.make_member(org))
    with django_assert_max_num_queries(10):
        assert scim.get("Groups").json()["totalResults"] == 6
