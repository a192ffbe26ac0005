"""One's connected accounts and delegations through the API (what /me/accounts/ offers,
but connecting: the network's consent is in the browser): the account's kind, disconnect
(the tokens are deleted, the fake X peer is told), the delegations both ways and
withdrawing one; only one's own (another member's: 404); the time zone of the best-times
page; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.publishing import services
from portevoix.publishing.models import Connection, Delegation
from tests.api.conftest import ApiClient
from tests.factories import make_member
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db


def test_the_owner_sets_the_kind_and_disconnects_an_account(ambassador, org, fake_x, api):
    connection = connect_x(ambassador, fake_x)
    client = api(ambassador)
    changed = client.patch(f"/publishing/connections/{connection.pk}", {"kind": "company"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["kind"] == "company"
    assert (
        client.patch(f"/publishing/connections/{connection.pk}", {"kind": "x"}).status_code == 422
    )
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    assert api(colleague).delete(f"/publishing/connections/{connection.pk}").status_code == 404
    body = {"kind": "personal"}
    assert api(colleague).patch(f"/publishing/connections/{connection.pk}", body).status_code == 404
    assert client.delete(f"/publishing/connections/{connection.pk}").status_code == 204
    assert not Connection.objects.filter(pk=connection.pk).exists()
    assert fake_x.app.count("POST", "/2/oauth2/revoke") >= 1
    assert client.get("/publishing/connections").json() == []


def test_another_organizations_account_is_404(ambassador, outsider, fake_x, api):
    connection = connect_x(ambassador, fake_x)
    other = api(outsider)
    assert other.delete(f"/publishing/connections/{connection.pk}").status_code == 404
    body = {"kind": "company"}
    assert other.patch(f"/publishing/connections/{connection.pk}", body).status_code == 404
    connection.refresh_from_db()
    assert connection.kind == "personal"


def test_delegations_are_listed_both_ways_and_withdrawn_by_the_executive(
    executive, org, outsider, api
):
    assistant = make_member(org, email="assistant@acme.test")
    delegation = services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    given = api(executive).get("/publishing/delegations").json()
    assert [d["id"] for d in given["given"]] == [delegation.pk] and given["received"] == []
    assert given["given"][0]["assistant_id"] == assistant.pk
    received = api(assistant).get("/publishing/delegations").json()
    assert [d["id"] for d in received["received"]] == [delegation.pk]
    # Only the executive withdraws it; another organization's gets 404.
    assert api(assistant).delete(f"/publishing/delegations/{delegation.pk}").status_code == 404
    assert api(outsider).delete(f"/publishing/delegations/{delegation.pk}").status_code == 404
    assert Delegation.objects.get().revoked_at is None
    assert api(executive).delete(f"/publishing/delegations/{delegation.pk}").status_code == 204
    assert Delegation.objects.get().revoked_at is not None
    assert api(executive).get("/publishing/delegations").json()["given"] == []


def test_the_time_zone_is_set_through_the_api(ambassador, api):
    client = api(ambassador)
    answer = client.put("/me/time-zone", {"time_zone": "Europe/Paris"})
    assert answer.status_code == 200 and answer.json() == {"time_zone": "Europe/Paris"}
    ambassador.user.refresh_from_db()
    assert ambassador.user.time_zone == "Europe/Paris"
    refused = client.put("/me/time-zone", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400 and "time_zone" in refused.json()["errors"]
    assert client.put("/me/time-zone", {"time_zone": ""}).json() == {"time_zone": ""}
    assert client.post("/me/time-zone", {"time_zone": ""}).status_code == 405


def test_scopes(ambassador, fake_x):
    connection = connect_x(ambassador, fake_x)
    read_only = ApiClient(
        account_services.api_token_create(membership=ambassador, name="ro", can_write=False).secret
    )
    assert read_only.get("/publishing/delegations").status_code == 200
    refused = read_only.delete(f"/publishing/connections/{connection.pk}")
    assert refused.status_code == 403 and "publishing:write" in refused.json()["detail"]
    refused = read_only.put("/me/time-zone", {"time_zone": "Europe/Paris"})
    assert refused.status_code == 403 and "people:write" in refused.json()["detail"]
    assert Connection.objects.filter(pk=connection.pk).exists()
