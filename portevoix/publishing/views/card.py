"""Publishing from the feed card (`{% card_publish_actions item %}`): share now or at the
best time through one account, or on every account at its best time. POST only; the result
comes back as messages on the page the member came from (a safe `next`), or as JSON for the
card's script (`Accept: application/json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.networks import Network
from portevoix.core.web import member_view, post_only, safe_next
from portevoix.sharing.services import SharingBlocked

from .. import selectors, services
from ..forms import CardPublishForm
from ..models import PostState, WhenMode

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# (level, text): level is a `django.contrib.messages` tag.
Note = tuple[str, str]


def _account(outcome: services.CardOutcome) -> str:
    connection = outcome.connection
    return _("%(network)s %(handle)s") % {
        "network": Network.LABELS.get(connection.network, connection.network),
        "handle": connection.handle,
    }


def _note(membership: Membership, outcome: services.CardOutcome) -> Note:
    account = _account(outcome)
    post = outcome.post
    if post is None:
        return "error", _("Not scheduled on %(account)s: %(reason)s") % {
            "account": account,
            "reason": outcome.refusal,
        }
    when = selectors.card_when(membership, post.scheduled_at)
    if not outcome.created:
        if post.state == PostState.PUBLISHED:
            return "info", _("Already published on %(account)s.") % {"account": account}
        return "info", _("Already planned on %(account)s for %(when)s.") % {
            "account": account,
            "when": when,
        }
    if outcome.paused_reason:
        return "warning", _(
            "Publishing is paused (%(reason)s): your post on %(account)s waits until it resumes."
        ) % {"reason": outcome.paused_reason, "account": account}
    if post.mode == WhenMode.NOW:
        if selectors.post_reloaded(post).state == PostState.PUBLISHED:
            return "success", _("Published on %(account)s.") % {"account": account}
        return "success", _("Sent to %(account)s: it is being published.") % {"account": account}
    return "success", _("Scheduled on %(account)s for %(when)s.") % {
        "account": account,
        "when": when,
    }


def _refused(exc: DomainError) -> Note:
    if isinstance(exc, SharingBlocked):
        return "error", exc.message
    return "error", services.refusal_text(exc)


def _answer(
    request: HttpRequest, item_id: int, notes: list[Note], *, status: int = 200
) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "ok": status == 200 and all(level != "error" for level, _text in notes),
                "messages": [{"level": level, "text": text} for level, text in notes],
            },
            status=status,
        )
    for level, text in notes:
        messages.add_message(request, getattr(messages, level.upper()), text)
    back = safe_next(request, request.POST.get("next"), reverse("content:feed"))
    if back is not None and "#" not in back:
        back = f"{back}#publish-{item_id}"
    return redirect(back or reverse("content:feed"))


@member_view
def card_publish(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    """One account: `when` is "now" or "best"."""
    selectors.item_of_organization(membership, item_id)  # another organization's: 404
    if (refused := post_only(request)) is not None:
        return refused
    form = CardPublishForm(request.POST)
    if not form.is_valid():
        return _answer(request, item_id, [("error", _("Choose an account."))], status=400)
    try:
        outcome = services.card_publish(
            actor=membership,
            item_id=item_id,
            connection_id=form.cleaned_data["connection"],
            when=form.cleaned_data["when"],
        )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        return _answer(request, item_id, [_refused(exc)], status=exc.status)
    return _answer(request, item_id, [_note(membership, outcome)])


@member_view
def card_publish_all(request: HttpRequest, membership: Membership, item_id: int) -> HttpResponse:
    """Every active account of the member, each at its best time, within the rhythm."""
    selectors.item_of_organization(membership, item_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        outcomes = services.card_publish_all(actor=membership, item_id=item_id)
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        return _answer(request, item_id, [_refused(exc)], status=exc.status)
    return _answer(request, item_id, [_note(membership, o) for o in outcomes])
