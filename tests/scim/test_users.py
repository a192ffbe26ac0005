"""SCIM Users: every operation, filters, pagination, errors, and what provisioning does to
members (never an ambassador, deprovisioning keeps the membership and withdraws them)."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as accounts
from portevoix.accounts.models import AmbassadorProfile, ConsentEvent, Membership, User
from portevoix.governance.models import AuditEntry
from tests import factories

from .conftest import USER_SCHEMA, user_body

pytestmark = pytest.mark.django_db


def _error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


def test_create_makes_a_plain_member_never_an_ambassador(scim, org):
    response = scim.post("Users", user_body("ada@acme.com", externalId="E-1", title="Engineer"))
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert body["userName"] == "ada@acme.com"
    assert body["externalId"] == "E-1"
    assert body["active"] is True
    assert body["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    membership = Membership.objects.get(pk=body["id"])
    assert membership.organization == org and membership.is_active
    assert membership.title == "Engineer"
    assert membership.user.full_name == "Ada Lovelace"
    assert not membership.user.has_usable_password()
    assert not membership.role_rows.exists()
    assert not AmbassadorProfile.objects.filter(membership=membership).exists()
    assert AuditEntry.objects.filter(
        organization=org, action="scim.user_create", object_id=body["id"], actor=None
    ).exists()


def test_create_links_an_existing_account_without_renaming_it(scim, org, outsider):
    """Someone already in another organization: linked, and their account left as it is."""
    user = User.objects.create_user("shared@acme.com", None, full_name="Shared Person")
    accounts.membership_add(organization=outsider.organization, user=user)
    response = scim.post("Users", user_body("shared@acme.com"))
    assert response.status_code == 201
    user.refresh_from_db()
    assert user.full_name == "Shared Person"
    assert Membership.objects.filter(user=user).count() == 2


def test_create_refuses_a_duplicate_and_a_missing_email(scim, admin):
    assert scim.post("Users", user_body("ada@acme.com")).status_code == 201
    _error(scim.post("Users", user_body("ada@acme.com")), 409, "uniqueness")
    _error(scim.post("Users", user_body("other", email="admin@acme.test")), 400, "invalidValue")
    body = {"schemas": [USER_SCHEMA], "userName": "nobody"}
    _error(scim.post("Users", body), 400, "invalidValue")
    _error(scim.send("POST", "Users", None), 400, "invalidSyntax")
    bad = scim.client.post(
        "/scim/v2/Users",
        data="{not json",
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {scim.secret}",
    )
    _error(bad, 400, "invalidSyntax")


def test_get_one_and_404(scim, admin, outsider):
    response = scim.get(f"Users/{admin.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["schemas"] == [USER_SCHEMA]
    assert body["userName"] == "admin@acme.test"
    assert body["emails"] == [{"value": "admin@acme.test", "primary": True}]
    _error(scim.get("Users/999999"), 404)
    _error(scim.get("Users/abc"), 404)
    _error(scim.get(f"Users/{outsider.pk}"), 404)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName eq "ADA@acme.com"', {"ada"}),
        ('externalId eq "E-2"', {"bob"}),
        ('externalId eq "e-2"', set()),  # externalId is case-exact
        ('emails.value eq "bob@acme.com"', {"bob"}),
        ('emails[value eq "ada@acme.com"]', {"ada"}),
        ('displayName eq "Robert"', {"bob"}),
        ('userName eq "ada@acme.com" and externalId eq "E-1"', {"ada"}),
        ('userName eq "ada@acme.com" and externalId eq "E-2"', set()),
        ('userName eq "ada@acme.com" or externalId eq "E-2"', {"ada", "bob"}),
        ('userName sw "bob" and active eq true', {"bob"}),
        ('not (userName eq "ada@acme.com") and userName co "@acme.com"', {"bob"}),
        ('userName eq "admin@acme.test"', {"admin"}),  # a member the directory never described
    ],
)
def test_filters(scim, admin, expression, expected):
    ids = {
        "ada": scim.post("Users", user_body("ada@acme.com", externalId="E-1")).json()["id"],
        "bob": scim.post(
            "Users", user_body("bob@acme.com", externalId="E-2", displayName="Robert")
        ).json()["id"],
        "admin": str(admin.pk),
    }
    response = scim.get("Users", filter=expression)
    assert response.status_code == 200, response.content
    body = response.json()
    found = {r["id"] for r in body["Resources"]}
    assert found == {ids[name] for name in expected}
    assert body["totalResults"] == len(expected)


@pytest.mark.parametrize(
    "expression", ['userName gt "a"', 'phoneNumbers.value eq "1"', "userName eq", "(("]
)
def test_unsupported_or_broken_filters_are_400_invalid_filter(scim, expression):
    _error(scim.get("Users", filter=expression), 400, "invalidFilter")


def test_pagination(scim, org, admin, crowd):
    total = Membership.objects.filter(organization=org).count()
    assert total >= 11
    everyone = scim.get("Users").json()
    assert everyone["totalResults"] == total
    ids = [r["id"] for r in everyone["Resources"]]
    assert ids == sorted(ids, key=int) and len(ids) == total
    page = scim.get("Users", startIndex=3, count=4).json()
    assert page["startIndex"] == 3 and page["itemsPerPage"] == 4
    assert page["totalResults"] == total
    assert [r["id"] for r in page["Resources"]] == ids[2:6]
    last = scim.get("Users", startIndex=total - 1, count=5).json()
    assert [r["id"] for r in last["Resources"]] == ids[total - 2 :]
    assert scim.get("Users", count=0).json()["Resources"] == []
    assert scim.get("Users", startIndex=0, count=1).json()["startIndex"] == 1
    _error(scim.get("Users", count="many"), 400, "invalidSyntax")


def test_search_endpoint_and_attributes(scim, admin):
    scim.post("Users", user_body("ada@acme.com"))
    response = scim.post(
        "Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "ada@acme.com"',
            "attributes": ["userName"],
        },
    )
    assert response.status_code == 200, response.content
    resource = response.json()["Resources"][0]
    assert resource["userName"] == "ada@acme.com" and "emails" not in resource
    one = scim.get(f"Users/{admin.pk}", excludedAttributes="emails").json()
    assert "emails" not in one and one["userName"] == "admin@acme.test"


def test_put_replaces(scim, org):
    uid = scim.post("Users", user_body("ada@acme.com")).json()["id"]
    body = user_body("ada.l@acme.com", externalId="E-9", title="CTO")
    body["name"] = {"formatted": "Ada King"}
    response = scim.put(f"Users/{uid}", body)
    assert response.status_code == 200, response.content
    assert response.json()["userName"] == "ada.l@acme.com"
    membership = Membership.objects.select_related("user").get(pk=uid)
    assert membership.user.email == "ada.l@acme.com"
    assert membership.user.full_name == "Ada King"
    assert membership.title == "CTO"
    assert AuditEntry.objects.filter(action="scim.user_update", object_id=uid).exists()


def test_patch_operations(scim, org):
    uid = scim.post("Users", user_body("ada@acme.com")).json()["id"]
    response = scim.patch(
        f"Users/{uid}",
        {"op": "replace", "path": "name.givenName", "value": "Augusta"},
        {"op": "add", "path": "title", "value": "Countess"},
        {"op": "add", "value": {"externalId": "X-1"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"]["givenName"] == "Augusta"
    assert body["title"] == "Countess" and body["externalId"] == "X-1"
    response = scim.patch(f"Users/{uid}", {"op": "remove", "path": "title"})
    assert "title" not in response.json()
    assert Membership.objects.get(pk=uid).title == ""
    bad = scim.patch(f"Users/{uid}", {"op": "jump", "path": "title", "value": "x"})
    _error(bad, 400)


def test_patch_active_false_deprovisions_an_ambassador(scim, org, ambassador):
    response = scim.patch(f"Users/{ambassador.pk}", {"op": "replace", "value": {"active": False}})
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    ambassador.refresh_from_db()
    assert Membership.objects.filter(pk=ambassador.pk).exists()
    assert not ambassador.is_active
    assert not AmbassadorProfile.objects.get(membership=ambassador).opted_in
    withdrawal = ConsentEvent.objects.filter(membership=ambassador, kind="opt_out").get()
    assert withdrawal.reason == "deprovisioned by the directory"
    assert accounts.ambassador_status(membership=ambassador) == (
        False,
        "deprovisioned by the directory",
    )
    assert AuditEntry.objects.filter(
        action="scim.user_deactivate", object_id=str(ambassador.pk)
    ).exists()
    # Back again: active, but not an ambassador again until they opt in themselves.
    response = scim.patch(
        f"Users/{ambassador.pk}", {"op": "replace", "path": "active", "value": True}
    )
    assert response.json()["active"] is True
    ambassador.refresh_from_db()
    assert ambassador.is_active
    assert not AmbassadorProfile.objects.get(membership=ambassador).opted_in


def test_delete_keeps_the_membership_inactive_and_answers_404_after(scim, org, ambassador):
    assert scim.delete(f"Users/{ambassador.pk}").status_code == 204
    ambassador.refresh_from_db()
    assert not ambassador.is_active
    assert not AmbassadorProfile.objects.get(membership=ambassador).opted_in
    assert ConsentEvent.objects.get(membership=ambassador, kind="opt_out").reason
    _error(scim.get(f"Users/{ambassador.pk}"), 404)
    _error(scim.delete(f"Users/{ambassador.pk}"), 404)
    assert str(ambassador.pk) not in {r["id"] for r in scim.get("Users").json()["Resources"]}
    assert AuditEntry.objects.filter(action="scim.user_delete").count() == 1
    # Provisioned again by the directory: the same membership, active again.
    again = scim.post("Users", user_body("ambassador@acme.test", email="amb@acme.com"))
    assert again.status_code in {201, 409}


def test_the_last_admin_is_not_deprovisioned(scim, org, admin):
    owner = Membership.objects.filter(organization=org).exclude(pk=admin.pk).get()
    accounts.member_deprovision(membership=owner)  # the organization's creator, an admin too
    response = scim.patch(f"Users/{admin.pk}", {"op": "replace", "value": {"active": False}})
    _error(response, 409)
    admin.refresh_from_db()
    assert admin.is_active


def test_method_not_allowed_and_unknown_endpoint(scim):
    _error(scim.send("DELETE", "Users"), 405)
    _error(scim.get("Nothing"), 404)
    _error(scim.post(".search", {}), 501)


def test_member_of_teams_shows_groups(scim, org):
    team = accounts.directory_team_create(organization=org, name="Lyon")
    member = factories.make_member(org, email="lyon@acme.test")
    member.teams.add(team)
    body = scim.get(f"Users/{member.pk}").json()
    assert body["groups"] == [{"value": str(team.pk), "display": "Lyon", "type": "direct"}]
