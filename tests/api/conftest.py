from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership

API = "/api/v1"


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        url = path if path.startswith(API) else API + path
        kwargs: dict[str, Any] = {"headers": self._headers()}
        if method == "get":
            return self.client.get(url, params or {}, **kwargs)
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(url, data, content_type="application/json", **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self.request("get", path, params=params)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("post", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("put", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("patch", path, body, **kw)

    def delete(self, path: str) -> Any:
        return self.request("delete", path)


def token_for(membership: Membership) -> str:
    return account_services.api_token_create(membership=membership, name="tests").secret


@pytest.fixture
def api_as(db) -> Callable[[Membership], ApiClient]:
    """`api_as(member)`: an API client acting as that membership, with a fresh token."""

    def make(membership: Membership) -> ApiClient:
        return ApiClient(token_for(membership))

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


def copies_payload() -> list[dict[str, str]]:
    return [
        {"network": "linkedin", "text": "Nous recrutons ! https://example.org/jobs/42"},
        {"network": "x", "text": "On recrute #jobs https://example.org/jobs/42"},
    ]


def item_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Nous recrutons des ingénieurs",
        "language": "fr",
        "body": "Rejoignez **notre équipe**.",
        "link": "https://example.org/jobs/42",
        "copies": copies_payload(),
    }
    payload.update(overrides)
    return payload
