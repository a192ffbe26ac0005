"""The approvals queue ("waiting for me"): the items that wait for the member's signature,
oldest submission first, each with what changed since the last approved revision; approve
or request changes from the queue itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.accounts import frame
from portevoix.accounts.permissions import can
from portevoix.core import page_cache
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.core.web import member_view, post_only

from .. import review, selectors, services
from ..forms import CommentForm
from .common import copy_groups

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

QUEUE_ACTIONS = ("approve", "request_changes")


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@member_view
def approvals(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not (can(membership, "content.approve") or can(membership, "content.approve_final")):
        raise PermissionDenied(_("Only approvers have an approvals queue."))

    def context() -> dict[str, object]:
        queue = review.approvals_queue(membership=membership, page=_page_number(request))
        return {
            "queue": queue,
            "rows": [(entry, copy_groups(entry.item)) for entry in queue.entries],
            "previous_page": queue.page - 1 if queue.page > 1 else None,
            "next_page": queue.page + 1 if queue.page < queue.pages else None,
        }

    # Per approver (nobody approves their own item; what they signed); an item entering or
    # leaving review, an approval or a copy changed moves a version in the key.
    key = frame.body_key(
        request,
        membership,
        "approvals",
        selectors.content_version(organization_id=membership.organization_id),
        per_member=True,
    )
    return page_cache.render_page(request, "content/approvals.html", key=key, context=context)


@member_view
def approvals_action(
    request: HttpRequest, membership: Membership, pk: int, action: str
) -> HttpResponse:
    if action not in QUEUE_ACTIONS:  # pragma: no cover - the URLs only route these
        raise Http404("Unknown action")
    if refused := post_only(request):
        return refused
    item = review.queue_item(membership=membership, pk=pk)
    form = CommentForm(request.POST, prefix=f"{action}-{pk}")
    if not form.is_valid():
        invalid = " ".join(str(m) for msgs in form.errors.values() for m in msgs)
        messages.error(
            request, _("“%(title)s”: %(reason)s") % {"title": item.title, "reason": invalid}
        )
        return redirect(reverse("content:approvals") + f"#item-{item.pk}")
    comment = form.cleaned_data["comment"].strip()
    try:
        if action == "approve":
            services.item_approve(membership=membership, item=item, comment=comment)
            messages.success(
                request, _("Your approval of “%(title)s” was recorded.") % {"title": item.title}
            )
        else:
            services.item_request_changes(membership=membership, item=item, comment=comment)
            messages.success(
                request,
                _("Changes to “%(title)s” were requested from the author.") % {"title": item.title},
            )
    except DomainError as exc:
        reasons = [exc.message, *(m for msgs in exc.field_errors.values() for m in msgs)]
        messages.error(
            request,
            _("“%(title)s”: %(reason)s") % {"title": item.title, "reason": " ".join(reasons)},
        )
    return redirect(reverse("content:approvals") + f"#item-{item.pk}")
