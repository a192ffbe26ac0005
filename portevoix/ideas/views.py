"""Idea box pages: the list, the post form, an idea (votes, comments, triage)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view, post_only

from . import selectors, services
from .forms import CommentForm, DeclineForm, FilterForm, IdeaForm, MergeForm
from .models import IdeaStatus

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PAGE_SIZE = 20


@member_view
@require_http_methods(["GET"])
def idea_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = FilterForm(request.GET or {"status": IdeaStatus.OPEN, "sort": "votes"})
    values = form.cleaned_data if form.is_valid() else {"status": IdeaStatus.OPEN}
    kind, status = values.get("kind") or "", values.get("status") or ""
    sort = values.get("sort") or "votes"
    qs = selectors.ideas(membership=membership, kind=kind, status=status, sort=sort)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ideas/list.html",
        {
            "form": form,
            "page": page,
            "ideas": rows,
            "voted": selectors.voted_ids(membership=membership, idea_ids=[i.pk for i in rows]),
            "query": query.urlencode(),
        },
    )


@member_view
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Post an idea. "Look for similar ideas" shows the open ideas that read alike without
    posting anything; a refusal keeps everything typed."""
    similar: list[selectors.Similar] | None = None
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "similar":
                similar = selectors.similar_ideas(
                    membership=membership, title=data["title"], body=data["body"]
                )
            else:
                try:
                    idea = services.idea_post(
                        membership=membership,
                        data=services.IdeaData(
                            kind=data["kind"],
                            title=data["title"],
                            body=data["body"],
                            link=data["link"] or "",
                        ),
                        images=data["images"],
                    )
                except DomainError as exc:
                    apply_domain_error(form, exc, field_map={"blockers": None})
                    status = 400
                else:
                    messages.success(request, _("Your idea is posted. Thank you!"))
                    return redirect("ideas:idea", pk=idea.pk)
        else:
            status = 400
    else:
        form = IdeaForm(initial={"kind": request.GET.get("kind", "")})
    return render(
        request,
        "ideas/new.html",
        {
            "form": form,
            "similar": similar,
            "blockers": [b.with_next(request.path) for b in services.charter_blockers(membership)],
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    membership: Membership,
    pk: int,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    idea = selectors.idea(membership=membership, idea_id=pk)
    triager = selectors.can_triage(membership) and idea.status == IdeaStatus.OPEN
    context: dict[str, Any] = {
        "idea": idea,
        "comments": selectors.comments(membership=membership, idea=idea),
        "voted": bool(selectors.voted_ids(membership=membership, idea_ids=[idea.pk])),
        "own": idea.author_id == membership.pk,
        "similar": (
            selectors.similar_ideas(
                membership=membership, title=idea.title, body=idea.body, exclude_id=idea.pk
            )
            if idea.status == IdeaStatus.OPEN
            else []
        ),
        "triager": triager,
        "draft_links": selectors.draft_links(membership=membership, idea=idea),
        "may_accept": triager and services.may_draft(membership, idea),
        "makes_draft": idea.kind in services.DRAFT_KINDS,
        "comment_form": CommentForm(),
        "decline_form": DeclineForm(),
        "merge_form": (
            MergeForm(targets=selectors.merge_targets(membership=membership, idea=idea))
            if triager
            else None
        ),
        "blockers": [b.with_next(request.path) for b in services.charter_blockers(membership)],
    }
    context.update(forms or {})
    return render(request, "ideas/idea.html", context, status=status)


@member_view
@require_http_methods(["GET"])
def idea_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    return _detail(request, membership, pk)


@member_view
def idea_vote(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.idea(membership=membership, idea_id=pk)
    if refused := post_only(request):
        return refused
    try:
        services.idea_vote(
            membership=membership, idea_id=pk, vote=request.POST.get("vote") != "off"
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        messages.error(request, exc.message)
    return redirect("ideas:idea", pk=pk)


@member_view
def idea_comment(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.idea(membership=membership, idea_id=pk)
    if refused := post_only(request):
        return refused
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.idea_comment(membership=membership, idea_id=pk, body=form.cleaned_data["body"])
        except DomainError as exc:
            apply_domain_error(form, exc, field_map={"blockers": None})
        else:
            messages.success(request, _("Your comment was added."))
            return redirect("ideas:idea", pk=pk)
    return _detail(request, membership, pk, forms={"comment_form": form}, status=400)


@member_view
def idea_accept(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.idea(membership=membership, idea_id=pk)
    if refused := post_only(request):
        return refused
    try:
        idea = services.idea_accept(membership=membership, idea_id=pk)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("ideas:idea", pk=pk)
    if idea.content_item_id:
        messages.success(request, _("Idea accepted: a content draft was created from it."))
    else:
        messages.success(request, _("Idea accepted."))
    return redirect("ideas:idea", pk=pk)


@member_view
def idea_decline(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    selectors.idea(membership=membership, idea_id=pk)
    if refused := post_only(request):
        return refused
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.idea_decline(
                membership=membership, idea_id=pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Idea declined; its author is told why."))
            return redirect("ideas:idea", pk=pk)
    return _detail(request, membership, pk, forms={"decline_form": form}, status=400)


@member_view
def idea_merge(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    idea = selectors.idea(membership=membership, idea_id=pk)
    if refused := post_only(request):
        return refused
    form = MergeForm(
        request.POST, targets=selectors.merge_targets(membership=membership, idea=idea)
    )
    if form.is_valid():
        try:
            services.idea_merge(
                membership=membership, idea_id=pk, into_id=form.cleaned_data["into"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Idea merged; its votes now count for the other one."))
            return redirect("ideas:idea", pk=form.cleaned_data["into"])
    return _detail(request, membership, pk, forms={"merge_form": form}, status=400)
