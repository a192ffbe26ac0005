"""Topics and campaigns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view

from .. import selectors, services
from ..forms import (
    CampaignForm,
    TopicForm,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# --- Topics and campaigns


@member_view
def topics(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "taxonomy.manage")
    form = TopicForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(membership=membership, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Topic “%(name)s” created.") % {"name": topic.name})
            return redirect("content:topics")
    return render(
        request,
        "content/topics.html",
        {"form": form, "topics": selectors.topics(membership=membership)},
        status=status,
    )


@member_view
def campaigns(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "taxonomy.manage")
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_create(
                    membership=membership,
                    name=data["name"],
                    description=data["description"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Campaign “%(name)s” created.") % {"name": campaign.name}
                )
                return redirect("content:campaigns")
        status = 400
    return render(
        request,
        "content/campaigns.html",
        {"form": form, "campaigns": selectors.campaigns(membership=membership)},
        status=status,
    )
