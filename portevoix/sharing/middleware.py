"""Marks a signed-in member's browser so that the redirect knows their own clicks
(docs/decisions/0005-self-clicks.md).

For a signed-in request whose browser does not carry the member's mark yet, the response
sets the first-party cookie `pv_m` = `visitor.member_mark(user id)`: a keyed hash of the user
id, HttpOnly, SameSite=Lax (sent on the top-level click that follows a link from a network),
Secure under HTTPS, for 30 days. The redirect compares it with the mark of the link's owner
and journals only "own click: yes/no". Nothing is stored about the member's browsing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .visitor import MEMBER_COOKIE, member_mark

MARK_MAX_AGE = 30 * 24 * 3600


class MemberMarkMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark = member_mark(int(user.pk))
            if request.COOKIES.get(MEMBER_COOKIE) != mark:
                response.set_cookie(
                    MEMBER_COOKIE,
                    mark,
                    max_age=MARK_MAX_AGE,
                    httponly=True,
                    secure=bool(getattr(settings, "HTTPS", False)),
                    samesite="Lax",
                )
        return response
