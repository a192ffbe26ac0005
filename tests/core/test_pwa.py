"""The installable web app (portevoix/core/pwa.py): the manifest in the request's language,
icons that are what they declare, the service worker served from the root with a version
that follows the static files, the offline page, and the CSP that lets both load.

The worker's behaviour in a browser (offline feed, logout, installability) is tested in
tests/browser/test_pwa.py."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageChops

from portevoix.core import pwa

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APP_CSS = ROOT / "static" / "css" / "app.css"


def _manifest(client: Client, **headers: Any) -> dict[str, Any]:
    response = client.get("/manifest.webmanifest", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    return json.loads(response.content)


def _worker_config(body: str) -> dict[str, Any]:
    match = re.search(r"^const CONFIG = (\{.*?\});$", body, re.MULTILINE | re.DOTALL)
    assert match, "sw.js starts with its configuration"
    return json.loads(match[1])


def _make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts/make_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- the manifest


def test_manifest_makes_an_installable_app(client: Client) -> None:
    data = _manifest(client)
    assert data["name"] == "Portevoix — employee advocacy"
    assert data["short_name"] == "Portevoix"
    assert data["description"].startswith("Share your organization's news")
    assert data["lang"] == "en"
    assert data["start_url"] == reverse("content:feed") + "?source=pwa" == "/feed/?source=pwa"
    assert data["scope"] == "/"
    assert data["id"] == "/"
    assert data["display"] == "standalone"
    # The colours are app.css's: the top bar and the page's background.
    css = APP_CSS.read_text()
    assert re.search(r"\.topbar \{[^}]*background:var\(--shell\)", css)
    assert f"--shell:{data['theme_color']}" in css
    assert f"--bg:{data['background_color']}" in css
    purposes = {(icon["sizes"], icon["purpose"], icon["type"]) for icon in data["icons"]}
    assert {
        ("192x192", "any", "image/png"),
        ("512x512", "any", "image/png"),
        ("512x512", "maskable", "image/png"),
        ("any", "any", "image/svg+xml"),
    } <= purposes


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, {"HTTP_COOKIE": "django_language=fr"}],
    ids=["accept-language", "language-cookie"],
)
def test_manifest_speaks_the_request_language(client: Client, headers: dict[str, str]) -> None:
    data = _manifest(client, **headers)
    assert data["lang"] == "fr"
    assert data["name"] == "Portevoix — programme ambassadeurs"
    assert data["short_name"] == "Portevoix"
    assert data["description"].startswith("Partagez les actualités de votre organisation")
    assert data["start_url"] == "/feed/?source=pwa"


def test_manifest_icons_have_their_declared_sizes(client: Client) -> None:
    for icon in _manifest(client)["icons"]:
        name = icon["src"].removeprefix("/static/")
        path = finders.find(name)
        assert isinstance(path, str), name
        if icon["type"] == "image/svg+xml":
            svg = ET.parse(path).getroot()  # noqa: S314 - our own file
            assert svg.get("viewBox") == "0 0 512 512"
            continue
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert icon["sizes"] == f"{image.width}x{image.height}"
            if icon["purpose"] == "maskable":  # full bleed: no transparent corner
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255  # type: ignore[index]


def test_the_other_icons_exist_with_their_sizes() -> None:
    expected = {"icons/apple-touch-icon.png": 180, "icons/badge-96.png": 96}
    for name, size in expected.items():
        path = finders.find(name)
        assert isinstance(path, str), name
        with Image.open(path) as image:
            assert image.size == (size, size)


def test_the_committed_icons_are_the_drawing() -> None:
    """static/icons/ holds what scripts/make_icons.py draws (run it after changing it)."""
    drawn = _make_icons().files()
    committed = {p.name for p in (ROOT / "static" / "icons").iterdir()}
    assert committed == set(drawn)
    assert (ROOT / "static/icons/icon.svg").read_bytes() == drawn["icon.svg"]
    for name, content in drawn.items():
        if not name.endswith(".png"):
            continue
        with Image.open(ROOT / "static" / "icons" / name) as kept:
            fresh = Image.open(io.BytesIO(content))
            assert kept.size == fresh.size, name
            diff = ImageChops.difference(kept.convert("RGBA"), fresh.convert("RGBA"))
            assert max(high for _, high in diff.getextrema()) <= 8, name  # type: ignore[misc]


# --------------------------------------------------------------------------- the worker


def test_sw_is_served_from_the_root_uncached(client: Client) -> None:
    assert reverse("service_worker") == "/sw.js"
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    config = _worker_config(response.content.decode())
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    for name in ("css/app.css", "css/forms.css", "js/app.js", "js/pwa.js", "icons/icon-192.png"):
        assert f"/static/{name}" in config["shell"]
    assert config["offline"] == "/offline/"
    assert config["feed"] == "/feed/"
    assert config["logout"] == "/logout/" and config["login"] == "/login/"
    for never in ("/api/", "/l/", "/admin/", "/sw.js", "/manifest.webmanifest"):
        assert never in config["bypass"]
    assert config["icon"] == "/static/icons/icon-192.png"
    assert config["badge"] == "/static/icons/badge-96.png"


def test_sw_holds_nothing_personal(client: Client, ambassador: Any) -> None:
    anonymous = client.get("/sw.js").content
    client.force_login(ambassador.user)
    assert client.get("/sw.js").content == anonymous
    assert b"ambassador" not in anonymous


def test_sw_version_follows_the_static_files(settings: Any, tmp_path: Path) -> None:
    """A deploy that changes a file of the shell gives a new version (a new worker, new
    caches); the same files give the same version."""
    (tmp_path / "css").mkdir()
    css = tmp_path / "css" / "app.css"
    css.write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [tmp_path]
    settings.DEBUG = True  # computed at each request, as in development
    first = pwa.worker_config()
    assert first["shell"] == ["/static/css/app.css"]
    assert pwa.worker_config()["version"] == first["version"]
    css.write_text("body { color: navy; }")
    assert pwa.worker_config()["version"] != first["version"]
    # In production the URLs are hashed by the manifest storage: they alone change it too.
    assert pwa._version(["css/none.css"], ["/static/css/none.111.css"]) != pwa._version(
        ["css/none.css"], ["/static/css/none.222.css"]
    )


def test_sw_handles_push_and_clicks_on_this_site_only(client: Client) -> None:
    body = client.get("/sw.js").content.decode()
    assert 'addEventListener("push"' in body and "showNotification(title, options)" in body
    assert 'addEventListener("notificationclick"' in body
    assert "url.origin === self.location.origin" in body


# --------------------------------------------------------------------------- pages


def test_offline_page_is_localized_and_impersonal(client: Client, ambassador: Any) -> None:
    client.force_login(ambassador.user)
    response = client.get("/offline/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>You are offline</h1>" in page
    assert ambassador.user.display_name not in page
    assert ambassador.organization.name not in page
    assert "portevoix-viewer" not in page  # kept for anyone: says nothing of who kept it
    assert 'rel="manifest"' in page
    french = client.get("/offline/", HTTP_COOKIE="django_language=fr").content.decode()
    assert "<h1>Vous êtes hors ligne</h1>" in french
    assert "Réessayer" in french


def test_pages_link_the_manifest_and_carry_the_offline_banner(
    client: Client, ambassador: Any, member: Any
) -> None:
    page = client.get("/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest"' in page
    assert '<meta name="theme-color" content="#0f2747">' in page
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in page
    assert 'src="/static/js/pwa.js" data-sw="/sw.js"' in page
    banner = re.search(r'<div id="offline-banner"[^>]*>(.*?)</div>', page)
    assert banner and " hidden>" in banner[0] and 'role="status"' in banner[0]
    assert banner[1].startswith("You are offline")
    assert '<meta name="portevoix-viewer" content="">' in page  # nobody logged in

    viewers = []
    for membership in (ambassador, member):
        client.force_login(membership.user)
        html = client.get("/feed/").content.decode()
        viewer = re.search(r'<meta name="portevoix-viewer" content="([0-9a-f]{20})">', html)
        assert viewer, "a logged-in page names its viewer (opaque)"
        viewers.append(viewer[1])
        assert str(membership.user.pk) != viewer[1]
    assert viewers[0] != viewers[1]
    client.cookies["django_language"] = "fr"
    french = client.get("/feed/").content.decode()
    assert "Vous êtes hors ligne : voici la page telle que vous l\u2019avez vue" in french


def test_csp_lets_the_manifest_and_the_worker_load_from_here_only(client: Client) -> None:
    for path in ("/login/", "/sw.js", "/manifest.webmanifest", "/offline/"):
        header = client.get(path)["Content-Security-Policy"]
        policy = {words[0]: words[1:] for part in header.split(";") if (words := part.split())}
        assert policy["manifest-src"] == ["'self'"]
        assert policy["worker-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
