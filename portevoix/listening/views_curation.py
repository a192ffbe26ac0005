"""Curation pages (decision 0029): the proposals of the curated sources for whoever may
create content (`content.create`), accepted into a draft or dismissed by POST, and the
program's 80/20 content mix. Thin: selectors read, services write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import member_view, post_only

from . import curation, selectors_curation
from .models import ProposalStatus

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@never_cache
@member_view
@require_http_methods(["GET"])
def proposals(request: HttpRequest, membership: Membership) -> HttpResponse:
    status = request.GET.get("status", ProposalStatus.PENDING)
    if status not in ProposalStatus.values:
        status = ProposalStatus.PENDING
    context = {
        "proposals": selectors_curation.proposals(membership=membership, status=status),
        "pending": selectors_curation.pending_count(membership=membership),
        "status": status,
        "statuses": ProposalStatus.choices,
        "mix": selectors_curation.content_mix(membership=membership),
        "size": selectors_curation.PAGE_SIZE,
    }
    return render(request, "listening/curation.html", context)


@member_view
def proposal_accept(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    proposal = selectors_curation.proposal_of(membership=membership, pk=pk)  # 404 / 403
    if refused := post_only(request):
        return refused
    try:
        item = curation.proposal_accept(actor=membership, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("listening:curation")
    messages.success(
        request, _("The draft is in the library: edit it, then submit it for approval.")
    )
    return redirect(reverse("content:item_edit", args=[item.pk]))


@member_view
def proposal_dismiss(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    proposal = selectors_curation.proposal_of(membership=membership, pk=pk)  # 404 / 403
    if refused := post_only(request):
        return refused
    try:
        curation.proposal_dismiss(actor=membership, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proposal is set aside."))
    return redirect("listening:curation")
