"""Helpers shared by the accounts pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portevoix.core.errors import NotFound, PermissionDenied

from ..middleware import _membership
from ..models import AmbassadorProfile, Membership, User
from ..roles import ROLE_LABELS, Role

PEOPLE_PER_PAGE = 25
TEAM_MEMBERS_PER_PAGE = 50

OrgView = Callable[..., HttpResponse]


def current_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def org_view(view: OrgView) -> Callable[..., HttpResponse]:
    """Logged in, with a current membership (passed as the second argument).

    Service errors that are not about the form become HTTP answers: PermissionDenied -> 403,
    NotFound -> 404.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = _membership(request)
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
    danger: bool = True,
    detail: str = "",
) -> HttpResponse:
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": title,
            "question": question,
            "detail": detail,
            "action_label": action_label,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


def is_ambassador(membership: Membership) -> bool:
    try:
        return bool(membership.ambassador.opted_in)
    except AmbassadorProfile.DoesNotExist:
        return False


def role_labels(membership: Membership) -> list[str]:
    """Assigned role labels from the prefetched rows (ambassador is shown apart)."""
    return [
        str(ROLE_LABELS[row.role])
        for row in membership.role_rows.all()
        if row.role in ROLE_LABELS and row.role != Role.AMBASSADOR
    ]
