"""Helpers shared by the accounts pages."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import AmbassadorProfile, Membership, User
from ..roles import ROLE_LABELS, Role

PEOPLE_PER_PAGE = 25
TEAM_MEMBERS_PER_PAGE = 50


def current_user(request: HttpRequest) -> User:
    return cast(User, request.user)


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
