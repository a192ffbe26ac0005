"""Publishing and scheduling an item, the ambassador's posts (edit, cancel, approve, decline,
retry), the best time to post and the member's time zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portevoix.accounts.permissions import require
from portevoix.accounts.services import time_zones, user_time_zone_set
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import LIMITS, Network
from portevoix.core.web import apply_domain_error, member_view

from .. import scheduling, selectors, services
from ..forms import PostForm
from ..models import PostState, WhenMode

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


# --------------------------------------------------------------------------- posts


def _post_form_context(membership: Membership, item_id: int, network: str) -> dict[str, Any]:
    return {
        "connections": selectors.publishable_connections(membership, network),
        "network": network,
        "network_label": Network.LABELS[network],
        "limit": LIMITS[network],
        "item_id": item_id,
    }


@require_POST
@member_view
def publish(
    request: HttpRequest, membership: Membership, item_id: int, network: str
) -> HttpResponse:
    """Publish an item through a connected account: now, at a time, or at the best time."""
    if network not in Network.ALL:
        raise Http404("Unknown network")
    form = PostForm(request.POST)
    if form.is_valid() and form.cleaned_data.get("connection"):
        text = form.cleaned_data["text"] if form.cleaned_data["text"].strip() else None
        try:
            post = services.post_create(
                actor=membership,
                draft=services.PostDraft(
                    connection_id=form.cleaned_data["connection"],
                    item_id=item_id,
                    text=text,
                    when=form.cleaned_data["when"],
                    at=form.at_in(scheduling.tz_of(membership)),
                ),
            )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if post.state == PostState.HELD and post.held_by is not None:
                messages.warning(
                    request,
                    _("Publishing is paused (%(reason)s): your post is held until it resumes.")
                    % {"reason": post.held_by.reason},
                )
            elif post.state == PostState.AWAITING_APPROVAL:
                messages.success(
                    request, _("Prepared: it goes out once the account owner approves it.")
                )
            elif post.mode == WhenMode.NOW:
                post = selectors.post_reloaded(post)
                if post.state == PostState.PUBLISHED:
                    messages.success(request, _("Published."))
                else:
                    messages.success(request, _("Sent: it is being published."))
            else:
                messages.success(request, _("Scheduled."))
            return redirect("publishing:posts")
    elif form.is_valid():
        form.add_error(None, _("Choose the account to publish with."))
    context = _post_form_context(membership, item_id, network)
    context.update(
        {
            "form": form,
            "item": selectors.item_of_organization(membership, item_id),
        }
    )
    return render(request, "publishing/publish_errors.html", context, status=400)


@member_view
def posts(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "share.create")
    mine = selectors.my_posts(membership)
    for post in mine:
        post.latest_snapshot = selectors.latest(post)  # type: ignore[attr-defined]
    return render(
        request,
        "publishing/posts.html",
        {
            "posts": mine,
            "to_approve": selectors.to_approve(membership),
            "broken": selectors.needing_reconnect(membership),
            "prepared": selectors.prepared_by_me(membership),
            "states": PostState,
            "tz": scheduling.tz_of(membership),
            "now": clock.now(),
        },
    )


@member_view
def post_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    post = selectors.post_for_edit(membership, pk)
    # Times are typed and shown in the time zone of the person editing (owner or delegate).
    tz = scheduling.tz_of(membership)
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                services.post_update(
                    actor=membership,
                    post_id=post.pk,
                    text=form.cleaned_data["text"] or None,
                    when=form.cleaned_data["when"],
                    at=form.at_in(tz),
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("publishing:posts")
    else:
        form = PostForm(
            initial={
                "text": post.text,
                "when": WhenMode.AT if post.mode == WhenMode.NOW else post.mode,
                "at": post.scheduled_at.astimezone(tz).replace(tzinfo=None),
            }
        )
    return render(
        request,
        "publishing/post_edit.html",
        {
            "post": post,
            "form": form,
            "limit": LIMITS[post.network],
            "editable": post.state in services.EDITABLE_STATES,
        },
        status=400 if form.errors else 200,
    )


def _post_action(action: Any, success: Any) -> Any:
    @require_POST
    @member_view
    def view(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
        try:
            action(actor=membership, post_id=pk)
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
        return redirect("publishing:posts")

    return view


post_cancel = _post_action(services.post_cancel, gettext_lazy("Cancelled."))
post_approve = _post_action(
    services.post_approve, gettext_lazy("Approved: it goes out at its time.")
)
post_decline = _post_action(services.post_decline, gettext_lazy("Declined."))
post_retry = _post_action(services.post_retry, gettext_lazy("It will be tried again now."))


@member_view
def best_time(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "share.create")
    network = request.GET.get("network") or Network.LINKEDIN
    if network not in Network.ALL:
        raise Http404("Unknown network")
    heatmap = scheduling.heatmap(membership=membership, network=network)
    best, note = scheduling.best_slot(membership=membership, network=network)
    return render(
        request,
        "publishing/best_time.html",
        {
            "heatmap": heatmap,
            "best": best.astimezone(scheduling.tz_of(membership)),
            "note": note,
            "network": network,
            "network_label": Network.LABELS[network],
            "networks": [(code, Network.LABELS[code]) for code in Network.ALL],
            "time_zones": time_zones(),
            "time_zone": membership.user.time_zone,
        },
    )


@require_POST
@member_view
def time_zone(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The member's time zone, for scheduling and best times."""
    try:
        user_time_zone_set(user=membership.user, time_zone=request.POST.get("time_zone", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    network = request.POST.get("network", "")
    url = reverse("publishing:best_time")
    return redirect(f"{url}?network={network}" if network in Network.ALL else url)
