"""Public endpoints (no login): the conversion pixel and /l/<code> under Django."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from portevoix.core.errors import DomainError

from .. import selectors, services

logger = logging.getLogger("portevoix.sharing")

# A transparent 1x1 GIF.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
CLICK_COOKIE = "pv_click"


def _pixel_response() -> HttpResponse:
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store, max-age=0"
    response["Content-Length"] = str(len(PIXEL_GIF))
    return response


@csrf_exempt
def pixel(request: HttpRequest) -> HttpResponse:
    """GET /c/pixel.gif?org=<slug>&click=<click id>&id=<conversion id>&kind=lead&value=..
    &currency=EUR. Always a transparent GIF, whatever happens (the reason of a refusal is
    logged). The click id may come from the `pv_click` cookie of the redirect host. The
    pixel is not signed, so it only records conversions of a known click."""
    if request.method not in {"GET", "HEAD"}:
        return _pixel_response()
    params = request.GET
    slug = params.get("org", "")[:60]
    click_id = params.get("click", "")[:64] or request.COOKIES.get(CLICK_COOKIE, "")[:64]
    try:
        organization = selectors.organization_by_slug(slug)
        if organization is None:
            logger.info("pixel_refused reason=unknown_org")
            return _pixel_response()
        services.conversion_record(
            organization=organization,
            external_id=params.get("id", "")[:200],
            kind=params.get("kind", "lead")[:40],
            value=params.get("value", "")[:40],
            currency=params.get("currency", "")[:10],
            click_id=click_id,
            source="pixel",
            require_click=True,
        )
    except DomainError as exc:
        logger.info("pixel_refused reason=%s", ",".join(exc.field_errors) or exc.message)
    except Exception:  # never an error for a pixel: log it, answer the image
        logger.exception("pixel_failed")
    return _pixel_response()


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """/l/<code> when Django itself serves the request (development server, test server).

    In production the WSGI dispatcher of `config/wsgi.py` answers /l/ before Django is
    reached; this view runs the very same redirector, so behaviour is identical."""
    from ..redirect.app import default_redirector

    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, headers

    environ = {**request.META, "PATH_INFO": f"/l/{code}"}
    body = b"".join(default_redirector()(environ, start_response))
    response = HttpResponse(body, status=int(seen["status"].split()[0]))
    for name, value in seen["headers"]:
        if name.lower() != "content-length":
            response[name] = value
    return response
