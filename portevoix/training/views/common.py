"""What the training pages share: the current membership, and errors as HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from portevoix.accounts.models import Membership
from portevoix.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]


def current_membership(request: HttpRequest) -> Membership | None:
    membership = getattr(request, "membership", None)
    # The middleware gives a lazy object wrapping None when there is no membership.
    return membership if membership else None


def org_view(view: View) -> View:
    """Logged in, with a current membership (passed as the second argument).

    PermissionDenied -> 403, NotFound -> 404 (another organization's object is a 404 before
    any permission is looked at: selectors go through the tenant choke point first).
    """

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


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    action_label: str,
    cancel_url: str,
    detail: str = "",
    form: Any = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "training/confirm.html",
        {
            "title": title,
            "question": question,
            "detail": detail,
            "action_label": action_label,
            "cancel_url": cancel_url,
            "form": form,
        },
        status=status,
    )
