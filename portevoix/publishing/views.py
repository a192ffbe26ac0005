"""Web pages of publishing: connected accounts, publishing and scheduling, the ambassador's
posts, delegation, best times, and the managers' pages (crisis pause, cadence, network apps).

Views parse, authorize, call one service or selector, and render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portevoix.accounts.permissions import can, require
from portevoix.accounts.services import time_zones, user_time_zone_set
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import LIMITS, Network
from portevoix.core.web import apply_domain_error, member_view

from . import connections, scheduling, selectors, services
from .forms import AppForm, BlueskyForm, CadenceForm, PauseForm, PostForm
from .models import PostState, WhenMode

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _callback_uri(request: HttpRequest, network: str) -> str:
    return request.build_absolute_uri(reverse("publishing:callback", args=[network]))


def _accounts_url() -> str:
    return reverse("publishing:accounts")


# --------------------------------------------------------------------------- accounts


@member_view
def accounts(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The member's connected accounts, per network; delegation to an assistant."""
    require(membership, "share.create")
    mine = selectors.my_connections(membership)
    by_network: dict[str, list[Any]] = {code: [] for code in Network.ALL}
    for connection in mine:
        by_network[connection.network].append(connection)
    return render(
        request,
        "publishing/accounts.html",
        {
            "networks": [(info, by_network[info.code]) for info in selectors.network_infos()],
            "bluesky_form": BlueskyForm(),
            "given": selectors.delegations_given(membership),
            "received": selectors.delegations_received(membership),
            "members": selectors.delegation_candidates(membership),
        },
    )


@require_POST
@member_view
def connect(request: HttpRequest, membership: Membership, network: str) -> HttpResponse:
    """Start the network's authorization; the member comes back to `callback`."""
    try:
        url = connections.connection_authorize_start(
            membership=membership,
            network=network,
            redirect_uri=_callback_uri(request, network),
            instance=request.POST.get("instance", ""),
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        for errors in exc.field_errors.values():
            for message in errors:
                messages.error(request, message)
        if not exc.field_errors:
            messages.error(request, exc.message)
        return redirect("publishing:accounts")
    # The network's own authorization page (its URL comes from our settings, not the request).
    return HttpResponseRedirect(url)


@member_view
def callback(request: HttpRequest, membership: Membership, network: str) -> HttpResponse:
    if network not in Network.ALL:
        raise Http404("Unknown network")
    try:
        made = connections.connection_authorize_finish(
            membership=membership,
            network=network,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("publishing:accounts")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("publishing:accounts")
    for connection in made:
        messages.success(
            request,
            _("%(network)s account %(handle)s connected.")
            % {"network": connection.get_network_display(), "handle": connection.handle},
        )
    return redirect("publishing:accounts")


@require_POST
@member_view
def connect_bluesky(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = BlueskyForm(request.POST)
    if form.is_valid():
        try:
            connection = connections.connection_bluesky_connect(
                membership=membership,
                identifier=form.cleaned_data["identifier"],
                app_password=form.cleaned_data["app_password"],
                service=form.cleaned_data["service"],
            )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            for errors in exc.field_errors.values():
                for message in errors:
                    if message != exc.message:
                        messages.error(request, message)
        else:
            messages.success(
                request, _("Bluesky account %(handle)s connected.") % {"handle": connection.handle}
            )
    else:
        messages.error(request, _("Enter your handle and an app password."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def disconnect(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    connections.connection_disconnect(membership=membership, connection_id=pk)
    messages.success(request, _("Disconnected: the tokens were deleted."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def connection_kind(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    try:
        connections.connection_set_kind(
            membership=membership, connection_id=pk, kind=request.POST.get("kind", "")
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def delegate(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        services.delegation_grant(
            executive=membership, assistant_id=int(request.POST.get("assistant") or 0)
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your assistant can now prepare posts for you to approve."))
    return redirect("publishing:accounts")


@require_POST
@member_view
def undelegate(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    services.delegation_revoke(executive=membership, delegation_id=pk)
    messages.success(request, _("Delegation withdrawn."))
    return redirect("publishing:accounts")


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


# --------------------------------------------------------------------------- managers


@member_view
def pause(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Crisis pause: stop all scheduled publishing (or one campaign's) in one action."""
    require(membership, "publishing.pause")
    form = PauseForm()
    if request.method == "POST":
        form = PauseForm(request.POST)
        if form.is_valid():
            try:
                services.pause_start(
                    actor=membership,
                    reason=form.cleaned_data["reason"],
                    campaign_id=form.cleaned_data["campaign"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Publishing is paused. Nothing scheduled goes out until you resume.")
                )
                return redirect("publishing:pause")
    overview = selectors.pause_overview(membership)
    return render(
        request,
        "publishing/pause.html",
        {
            "form": form,
            "active": overview.active,
            "recent": overview.recent,
            "campaigns": overview.campaigns,
            "scheduled_count": overview.scheduled_count,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@member_view
def pause_end(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    try:
        services.pause_end(actor=membership, pause_id=pk)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Publishing resumed. Decide below what happens to the held posts.")
        )
    return redirect("publishing:pause")


@require_POST
@member_view
def held_decide(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    release = request.POST.get("decision") == "release"
    raw = request.POST.getlist("post")
    ids = [int(v) for v in raw if v.isdigit()] if raw else None
    try:
        count = services.held_decide(actor=membership, pause_id=pk, post_ids=ids, release=release)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if release:
            messages.success(request, _("%(n)s post(s) released.") % {"n": count})
        else:
            messages.success(request, _("%(n)s post(s) cancelled.") % {"n": count})
    return redirect("publishing:pause")


@member_view
def cadence(request: HttpRequest, membership: Membership) -> HttpResponse:
    require(membership, "publishing.cadence")
    rules = selectors.cadence_rules(membership.organization_id)
    errors: dict[str, CadenceForm] = {}
    if request.method == "POST":
        form = CadenceForm(request.POST)
        if form.is_valid() and form.cleaned_data["network"] in Network.ALL:
            try:
                services.cadence_set(
                    actor=membership,
                    network=form.cleaned_data["network"],
                    max_per_day=form.cleaned_data["max_per_day"],
                    min_gap_minutes=form.cleaned_data["min_gap_minutes"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("publishing:cadence")
        errors[str(request.POST.get("network", ""))] = form
    forms_by_network = []
    for code in Network.ALL:
        rule = rules.get(code)
        form = errors.get(code) or CadenceForm(
            initial={
                "network": code,
                "max_per_day": rule.max_per_day if rule else 0,
                "min_gap_minutes": rule.min_gap_minutes if rule else 0,
            },
            prefix=None,
        )
        forms_by_network.append((code, Network.LABELS[code], form))
    return render(
        request,
        "publishing/cadence.html",
        {"forms": forms_by_network},
        status=400 if errors else 200,
    )


@member_view
def apps(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The organization's own apps on LinkedIn, X, Threads and Facebook (else the platform's)."""
    require(membership, "publishing.apps")
    if request.method == "POST":
        form = AppForm(request.POST)
        if form.is_valid():
            try:
                connections.network_app_set(
                    actor=membership,
                    network=form.cleaned_data["network"],
                    client_id=form.cleaned_data["client_id"],
                    client_secret=form.cleaned_data["client_secret"],
                )
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Saved."))
        return redirect("publishing:apps")
    stored = selectors.network_apps(membership.organization_id)
    rows = []
    for code in (Network.LINKEDIN, Network.X, Network.THREADS, Network.FACEBOOK):
        app = stored.get(code)
        rows.append(
            {
                "code": code,
                "label": Network.LABELS[code],
                "form": AppForm(
                    initial={"network": code, "client_id": app.client_id if app else ""}
                ),
                "has_secret": bool(app and app.client_secret_encrypted),
                "from_environment": bool(settings.SOCIAL_APPS.get(code, {}).get("client_id")),
                "callback": _callback_uri(request, code),
            }
        )
    return render(
        request,
        "publishing/apps.html",
        {"rows": rows, "can_apps": can(membership, "publishing.apps")},
    )
