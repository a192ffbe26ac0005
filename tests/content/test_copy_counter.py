"""The editor's live counter has one endpoint (issue 9): the API's check-copy, called with
the web session; the web view /library/check-copy/ is gone."""

from __future__ import annotations

from pathlib import Path

from django.test import Client
from django.urls import NoReverseMatch, reverse

COPY_CHECK = "/api/v1/content/check-copy"


def test_editor_calls_the_one_counter_endpoint(client: Client, manager) -> None:
    client.force_login(manager.user)
    html = client.get(reverse("content:item_new")).content.decode()
    assert f'data-check-url="{COPY_CHECK}"' in html
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "editor.js").read_text()
    assert "data.copies[0]" in script and "area.value.trim()" in script


def test_the_old_web_endpoint_is_gone(client: Client, manager) -> None:
    client.force_login(manager.user)
    try:
        reverse("content:copy_check")
    except NoReverseMatch:
        pass
    else:  # pragma: no cover
        raise AssertionError("content:copy_check still exists")
    assert client.post("/library/check-copy/", {}).status_code == 404
