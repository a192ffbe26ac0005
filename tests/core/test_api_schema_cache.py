"""The OpenAPI schema is built once per path prefix and language, then served from memory."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from config.api import api
from portevoix.core import api_support

pytestmark = pytest.mark.django_db


def test_the_schema_is_built_once(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    api._openapi_cache.clear()
    builds = []
    original = api_support.NinjaAPI.get_openapi_schema

    def counting(self: api_support.NinjaAPI, **kwargs: Any) -> Any:
        builds.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(api_support.NinjaAPI, "get_openapi_schema", counting)
    first = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "/api/v1/me" in first.json()["paths"]
    assert len(builds) == 1


def test_one_schema_per_language() -> None:
    api._openapi_cache.clear()
    with translation.override("en"):
        english = api.get_openapi_schema()
    with translation.override("fr"):
        french = api.get_openapi_schema()
        assert api.get_openapi_schema() is french
    assert english is not french
    assert set(api._openapi_cache) == {("/api/v1/", "en"), ("/api/v1/", "fr")}
