from __future__ import annotations

import json

import pytest

from portevoix.scim import services
from tests import factories

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A Django test client speaking SCIM with one organization's directory token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/scim/v2/{path}", params, **self._headers())

    def send(self, method: str, path: str, body: dict | None = None):
        call = getattr(self.client, method.lower())
        data = json.dumps(body) if body is not None else ""
        return call(f"/scim/v2/{path}", data=data, content_type=SCIM, **self._headers())

    def post(self, path: str, body: dict):
        return self.send("POST", path, body)

    def put(self, path: str, body: dict):
        return self.send("PUT", path, body)

    def patch(self, path: str, *operations: dict):
        return self.send("PATCH", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})

    def delete(self, path: str):
        return self.send("DELETE", path)


def user_body(user_name: str, email: str | None = None, **extra) -> dict:
    body = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "emails": [{"value": email or user_name, "primary": True, "type": "work"}],
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "active": True,
    }
    body.update(extra)
    return body


@pytest.fixture
def scim(client, admin):
    issued = services.directory_token_create(membership=admin, name="Okta")
    return Scim(client, issued.secret)


@pytest.fixture
def other_scim(client, outsider):
    issued = services.directory_token_create(membership=outsider, name="Globex IdP")
    return Scim(client, issued.secret)


@pytest.fixture
def crowd(org):
    """Ten more plain members: the brake compares with the number of active members."""
    return [factories.make_member(org, email=f"person{i}@acme.test") for i in range(10)]
