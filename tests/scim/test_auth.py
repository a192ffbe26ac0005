"""Directory tokens: none or a wrong one is 401; another organization's sees nothing of this
one (404); a revoked one stops at once; only the hash is stored."""

from __future__ import annotations

import hashlib

import pytest

from portevoix.scim import services
from portevoix.scim.models import DirectoryToken

from .conftest import Scim, user_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("secret", [None, "pvscim_wrong", "pv_notascimtoken", "garbage"])
def test_no_or_wrong_token_is_401(client, scim, secret):
    for path in ("Users", "Groups", "ServiceProviderConfig", "Schemas", "ResourceTypes"):
        response = Scim(client, secret).get(path)
        assert response.status_code == 401
        assert response.json()["status"] == "401"
        assert response["WWW-Authenticate"].startswith("Bearer")
    response = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Basic {scim.secret}")
    assert response.status_code == 401


def test_another_organizations_token_sees_nothing(scim, other_scim, admin, member, outsider):
    created = scim.post("Users", user_body("ada@acme.com")).json()["id"]
    group = scim.post(
        "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "P"}
    ).json()["id"]
    for path in (f"Users/{created}", f"Users/{member.pk}", f"Groups/{group}"):
        assert other_scim.get(path).status_code == 404
        assert (
            other_scim.patch(path, {"op": "replace", "value": {"active": False}}).status_code == 404
        )
        assert other_scim.delete(path).status_code == 404
    ids = {r["id"] for r in other_scim.get("Users").json()["Resources"]}
    assert str(created) not in ids and str(member.pk) not in ids
    assert str(outsider.pk) in ids
    assert other_scim.get("Groups").json()["totalResults"] == 0
    assert other_scim.get("Users", filter='userName eq "ada@acme.com"').json()["totalResults"] == 0
    member.refresh_from_db()
    assert member.is_active


def test_token_is_stored_hashed_and_revocable(client, admin):
    issued = services.directory_token_create(membership=admin, name="Okta")
    assert issued.secret.startswith("pvscim_")
    token = DirectoryToken.objects.get()
    assert token.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {token.name, token.prefix, token.token_hash}
    scim = Scim(client, issued.secret)
    assert scim.get("Users").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    services.directory_token_revoke(membership=admin, token_id=token.pk)
    assert scim.get("Users").status_code == 401


def test_only_admins_manage_tokens(member, outsider, admin):
    from portevoix.core.errors import DomainError

    with pytest.raises(DomainError):
        services.directory_token_create(membership=member, name="x")
    token = services.directory_token_create(membership=admin, name="Okta").token
    with pytest.raises(DomainError):
        services.directory_token_revoke(membership=outsider, token_id=token.pk)
