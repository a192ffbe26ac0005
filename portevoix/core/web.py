"""The web toolkit every app's views share.

- `member_view`: logged in, acting in a current organization (the membership is passed as
  the view's second argument). No membership: the organization chooser. A refused
  permission (`core.errors.PermissionDenied`, or Django's): the 403 page, logged as one
  structured line. A missing object (`core.errors.NotFound`): the 404 page.
- `post_only`: 405 unless POST (call it after the object lookup, so that another
  organization's id stays a 404 whatever the method).
- `safe_next`: a `next` value only when it is a local URL (no open redirect).
- `apply_domain_error`: a service's `DomainError` onto a form, field by field.
- The pagination template is `includes/pagination.html` (context: `page`).

`core` imports no app: the membership is whatever `request.membership` holds (set by the
accounts middleware), and the chooser is the URL named by `settings.ORGANIZATION_CHOOSER_URL`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from portevoix.core.errors import DomainError, NotFound, PermissionDenied

logger = logging.getLogger("portevoix.web")

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def current_membership(request: HttpRequest) -> Any | None:
    """The membership the request acts as, or None (no organization chosen or none at all)."""
    membership = getattr(request, "membership", None)
    return membership if membership else None


def forbidden(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The 403 page, logged as one structured line (no traceback, no personal data; paths
    with a secret are masked by the logging filter). Django's own "Forbidden" line is skipped
    so that a refusal is one line, not two."""
    membership = current_membership(request)
    organization_id = getattr(membership, "organization_id", None)
    user = getattr(request, "user", None)
    user_id = getattr(user, "pk", None)
    logger.warning(
        "permission_denied organization=%s user=%s method=%s path=%s",
        organization_id,
        user_id,
        request.method,
        request.path,
        extra={
            "event": "permission_denied",
            "organization_id": organization_id,
            "user_id": user_id,
            "method": request.method,
            "path": request.path,
        },
    )
    response = render(request, "403.html", status=403)
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def member_view(
    view: Callable[Concatenate[HttpRequest, Any, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """Logged in, with a current membership passed as the second argument: the decorated view
    takes the request and the view's other arguments (the URL's), not the membership."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        membership = current_membership(request)
        if membership is None:
            return redirect(settings.ORGANIZATION_CHOOSER_URL)
        try:
            return view(request, membership, *args, **kwargs)
        except (PermissionDenied, DjangoPermissionDenied) as exc:
            return forbidden(request, getattr(exc, "message", "") or str(exc))
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return login_required(wrapper)


def post_only(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """405 unless POST."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def safe_next(request: HttpRequest, value: str | None, default: str | None = None) -> str | None:
    """`value` when it is a URL of this site (same host, same scheme rule), else `default`."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def apply_domain_error(
    form: forms.Form,
    exc: DomainError,
    *,
    field_map: Mapping[str, str | None] | Callable[[str], str | None] | None = None,
) -> None:
    """Put a service's `DomainError` on `form`.

    Each `exc.field_errors` key goes to the form field of the same name, or the one that
    `field_map` names (a mapping or a function; None means "no field"); messages of keys
    with no field become form-wide errors. The error's own message is a form-wide error
    when no field took a message. Permission and existence errors are not form errors:
    they are raised again for `member_view` to answer 403 or 404.
    """
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc
    placed = False
    unplaced: list[str] = []
    for key, messages in exc.field_errors.items():
        if callable(field_map):
            target = field_map(key)
        elif field_map is not None and key in field_map:
            target = field_map[key]
        else:
            target = key
        if target is not None and target not in form.fields:
            target = None
        for message in messages:
            if target is None:
                unplaced.append(message)
            else:
                form.add_error(target, message)
                placed = True
    if not placed and exc.message not in unplaced:
        form.add_error(None, exc.message)
    for message in unplaced:
        form.add_error(None, message)
