"""Helpers shared by the governance pages."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from portevoix.accounts.models import Membership
from portevoix.core.errors import NotFound, PermissionDenied

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


def current_membership(request: HttpRequest) -> Membership | None:
    membership = getattr(request, "membership", None)
    return membership if membership else None


def org_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Logged in, with a current membership (passed as the second argument). A refused
    permission is a 403 page, a missing object (or another organization's) a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        membership = current_membership(request)
        if membership is None:
            return redirect("accounts:dashboard")
        try:
            return view(request, membership, *args, **kwargs)
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return login_required(wrapper)


def post_only(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """405 unless POST. Called after the object is looked up, so that another
    organization's id is a 404 whatever the method."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """`value` when it is a local URL, else None."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def csv_cell(value: Any) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with a BOM, so spreadsheets read the accents)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
