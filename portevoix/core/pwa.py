"""The installable web app: the manifest, the service worker and the offline page.

- `/manifest.webmanifest`: name and description in the request's language, icons drawn by
  scripts/make_icons.py (static/icons/), colours of static/css/app.css.
- `/sw.js`: served from the root so that its scope is the whole site; its code is
  core/templates/core/sw.js with a configuration object in front (the shell's static URLs,
  the offline page, the feed, the URLs it must leave alone). Its version is a hash of the
  shell's URLs and contents and of the worker's own template: a deploy that changes any of
  them installs a new worker, which replaces the caches.
- `/offline/`: what a navigation shows when the network is unreachable and the page is not
  kept. It shows no personal data (the worker keeps it for whoever uses the device).

Core knows no app: the feed and the login/logout URLs are reversed by name, never imported.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The colours of static/css/app.css: the top bar (.topbar) and the page (--bg).
THEME_COLOR = "#0f2747"
BACKGROUND_COLOR = "#f6f7f9"
# The folders of static/ that make the shell: every page's CSS, scripts and icons.
SHELL_FOLDERS = ("css", "js", "icons")
ICONS = [
    ("icons/icon-192.png", "192x192", "image/png", "any"),
    ("icons/icon-512.png", "512x512", "image/png", "any"),
    ("icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("icons/icon.svg", "any", "image/svg+xml", "any"),
]
NOTIFICATION_ICON = "icons/icon-192.png"
NOTIFICATION_BADGE = "icons/badge-96.png"
# Paths the worker never answers for, whatever the method: the API, tracked links, the
# admin, language switching, the health check, uploads, and the worker and manifest.
BYPASS_PREFIXES = ("/api/", "/l/", "/admin/", "/i18n/", "/healthz", "/media/")


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the request's language."""
    data = {
        "id": "/",
        "name": _("Portevoix — employee advocacy"),
        "short_name": _("Portevoix"),
        "description": _("Share your organization's news in a few taps, when you choose to."),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": f"{reverse('content:feed')}?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["business", "productivity", "social"],
        "icons": [
            {"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    # The language comes from the language cookie or Accept-Language.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    patch_cache_control(response, no_cache=True)
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script: the same for everyone (nothing personal in it)."""
    config = worker_config()
    body = render_to_string("core/sw.js", {"config": json.dumps(config, indent=2)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker at each navigation; no-cache makes them ask us.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """The page shown by the worker for a navigation it cannot answer offline."""
    response = render(request, "core/offline.html")
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def shell_files() -> list[str]:
    """The static names of the shell (css/, js/, icons/ of the project's static folder)."""
    names = []
    for entry in settings.STATICFILES_DIRS:
        # An entry may be a folder or a (prefix, folder) pair (Django's STATICFILES_DIRS).
        prefix, folder = entry if isinstance(entry, tuple | list) else ("", entry)
        root = Path(folder)
        for sub in SHELL_FOLDERS:
            names += [
                f"{prefix}/{path.relative_to(root).as_posix()}".lstrip("/")
                for path in sorted((root / sub).rglob("*"))
                if path.is_file() and not path.name.startswith(".")
            ]
    return sorted(set(names))


def _version(names: list[str], urls: list[str]) -> str:
    digest = hashlib.sha256()
    for template in ("core/sw.js", "core/offline.html", "includes/pwa_head.html"):
        origin = get_template(template).origin.name  # type: ignore[attr-defined]
        digest.update(Path(origin).read_bytes())
    for name, url in zip(names, urls, strict=True):
        digest.update(url.encode() + b"\0")
        found = finders.find(name)
        if isinstance(found, str):  # the hashed URL says it in production; DEBUG needs this
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:16]


def worker_config() -> dict[str, Any]:
    """What sw.js needs to know, with its version (computed once per process, or at every
    request with DEBUG, when files change under the developer's hands)."""
    if settings.DEBUG:
        return _worker_config()
    return _cached_worker_config()


def _worker_config() -> dict[str, Any]:
    names = shell_files()
    urls = [static(name) for name in names]
    return {
        "version": _version(names, urls),
        "shell": urls,
        "offline": reverse("offline"),
        "feed": reverse("content:feed"),
        "login": reverse("accounts:login"),
        "logout": reverse("accounts:logout"),
        "static": settings.STATIC_URL,
        "bypass": [*BYPASS_PREFIXES, reverse("service_worker"), reverse("manifest")],
        "icon": static(NOTIFICATION_ICON),
        "badge": static(NOTIFICATION_BADGE),
    }


@cache
def _cached_worker_config() -> dict[str, Any]:
    return _worker_config()
