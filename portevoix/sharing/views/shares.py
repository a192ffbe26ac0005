"""The ambassador's shares, the organization's shares, confirming and removing one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.web import member_view, safe_next

from .. import selectors, services
from ..models import ShareState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

SHARES_PER_PAGE = 20
MIX_DAYS = 30


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, target, default) or default


@member_view
def my_shares(request: HttpRequest, membership: Membership) -> HttpResponse:
    shares = selectors.my_shares(membership=membership)
    page = Paginator(shares, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sharing/my_shares.html",
        {
            "page": page,
            "shares": list(page),
            "opened": ShareState.OPENED,
            "can_view_all": can(membership, "share.view_all"),
            "can_share": can(membership, "share.create"),
            "can_manage_tracking": can(membership, "tracking.manage"),
            "mix": _own_mix(membership),
            "mix_days": MIX_DAYS,
            "mix_target": selectors.third_party_target(membership.organization_id),
        },
    )


def _own_mix(membership: Membership) -> selectors.ContentMix | None:
    """The member's content mix over the last `MIX_DAYS` days (the seeds' 80/20)."""
    _program, mine = selectors.content_mix(
        organization_id=membership.organization_id,
        since=clock.now() - dt.timedelta(days=MIX_DAYS),
        membership_id=membership.pk,
    )
    return mine.get(membership.pk)


@member_view
def org_shares(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "share.view_all")
    raw = request.GET.get("member", "")
    member_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
    shares = selectors.org_shares(membership=membership, member_id=member_id)
    page = Paginator(shares, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    people = account_selectors.members(membership=membership, ambassadors_only=True)
    return render(
        request,
        "sharing/org_shares.html",
        {
            "page": page,
            "shares": list(page),
            "people": list(people),
            "member_id": member_id,
            "can_remove": can(membership, "share.remove"),
        },
    )


@member_view
def share_confirm(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.my_share(membership=membership, pk=pk)  # 404 before 405 for others' shares
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.share_confirm(membership=membership, share_id=pk)
    messages.success(request, _("Thank you! Your share is confirmed."))
    return redirect(_next(request, reverse("sharing:my_shares")))


@member_view
def share_remove(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    require(membership, "share.remove")
    selectors.visible_share(membership=membership, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.share_remove(share_id=pk, actor=membership)
    messages.success(request, _("The share is marked as removed."))
    return redirect(_next(request, reverse("sharing:org_shares")))
