"""The home page (`/`): what each member has to act on, by role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portevoix.core.web import member_view

from . import selectors

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@member_view
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The member's home: an ambassador with no other role goes to their feed; a member with
    no role is invited to join the ambassador programme; everyone else sees one section per
    role. Without an organization: the organization chooser (`member_view`)."""
    home = selectors.home_for(membership)
    if home.kind == "feed":
        return redirect("content:feed")
    if home.kind == "enrol":
        return render(request, "workspace/enrol.html")
    return render(request, "workspace/home.html", {"home": home})
