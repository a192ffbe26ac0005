"""The Slack and Teams page (channels, the Slack app) and Slack's interactivity hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portevoix.accounts import selectors as account_selectors
from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services, slack
from .forms import ConnectionForm, SlackAppForm

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def _data(form: ConnectionForm) -> services.ConnectionData:
    data = form.cleaned_data
    return services.ConnectionData(
        kind=data["kind"],
        name=data["name"],
        webhook_url=data["webhook_url"] or "",
        events=list(data["events"]),
    )


def _page(request: HttpRequest, membership: Membership, **forms: object) -> HttpResponse:
    page = selectors.chat_page(membership=membership)
    context = {
        "page": page,
        "form": forms.get("form") or ConnectionForm(initial={"events": ["live", "important"]}),
        "slack_form": forms.get("slack_form") or SlackAppForm(),
        "interactivity_url": request.build_absolute_uri(
            f"/hooks/slack/interactivity/{membership.organization.slug}/"
        ),
    }
    return render(request, "notifications/chat.html", context)


@member_view
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest, membership: Membership) -> HttpResponse:
    selectors.chat_page(membership=membership)  # chat.manage, or 403 before reading a form
    if request.method == "POST":
        form = ConnectionForm(request.POST)
        if form.is_valid():
            try:
                services.connection_create(actor=membership, data=_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The channel is added."))
                return redirect("notifications:chat")
        return _page(request, membership, form=form)
    return _page(request, membership)


@member_view
@require_http_methods(["GET", "POST"])
def chat_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    connection = selectors.connection_of(membership=membership, pk=pk)
    if request.method == "POST":
        form = ConnectionForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.connection_update(actor=membership, pk=pk, data=_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The channel is saved."))
                return redirect("notifications:chat")
    else:
        form = ConnectionForm(
            initial={"kind": connection.kind, "name": connection.name, "events": connection.events},
            editing=True,
        )
    return render(request, "notifications/chat_edit.html", {"form": form, "connection": connection})


@member_view
def chat_test(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.connection_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        services.connection_test(actor=membership, pk=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A test message is on its way: look at the channel."))
    return redirect("notifications:chat")


@member_view
def chat_enable(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.connection_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    services.connection_enable(actor=membership, pk=pk)
    messages.success(request, _("The channel is on again."))
    return redirect("notifications:chat")


@member_view
def chat_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.connection_of(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    services.connection_delete(actor=membership, pk=pk)
    messages.success(request, _("The channel is deleted."))
    return redirect("notifications:chat")


@member_view
def chat_slack_app(request: HttpRequest, membership: Membership) -> HttpResponse:
    selectors.chat_page(membership=membership)
    if refused := post_only(request):
        return refused
    form = SlackAppForm(request.POST)
    if form.is_valid():
        try:
            services.slack_app_update(
                actor=membership,
                signing_secret=form.cleaned_data["signing_secret"] or "",
                bot_token=form.cleaned_data["bot_token"] or "",
                clear=bool(form.cleaned_data["clear"]),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The Slack app settings are saved."))
            return redirect("notifications:chat")
    return _page(request, membership, slack_form=form)


@csrf_exempt
def slack_interactivity(request: HttpRequest, slug: str) -> HttpResponse:
    """Slack's POST of a click: checked, kept, answered from the queue; 200 at once."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    organization = account_selectors.organization_by_slug(slug[:60])
    if organization is None:
        raise Http404
    body = request.body[: slack.MAX_BODY + 1]
    if len(body) > slack.MAX_BODY or not slack.request_verify(
        organization_id=organization.pk,
        timestamp=request.headers.get("X-Slack-Request-Timestamp", "")[:20],
        signature=request.headers.get("X-Slack-Signature", "")[:100],
        body=body,
    ):
        return HttpResponse(status=401)
    click = slack.parse_click(request.POST.get("payload", ""))
    if click is not None:
        slack.share_click_record(organization_id=organization.pk, click=click)
    return HttpResponse(status=200)
