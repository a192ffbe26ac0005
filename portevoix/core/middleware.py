"""The web's safety net for the domain's errors.

Views wrapped in `core.web.member_view` answer `NotFound` and `PermissionDenied` themselves;
this middleware gives every other view the same answers (404 page, 403 page with one
structured log line) instead of a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from portevoix.core.errors import NotFound, PermissionDenied
from portevoix.core.web import forbidden


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            return forbidden(request, exception.message)
        return None
