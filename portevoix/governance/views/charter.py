"""The charter: reading and accepting it (every member), writing and publishing versions
(admins), and who accepted which version (admins and community managers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.core.errors import Conflict, DomainError
from portevoix.core.markdown import render_markdown
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

from .. import selectors, services
from ..forms import AckFilterForm, CharterAcceptForm, CharterDraftForm, CharterPublishForm
from ..models import CharterVersion
from .common import PAGE_SIZE, csv_response

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

NEXT_MAX = 500  # the accept form's `next` field is as long at most

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@dataclass
class RenderedBody:
    html: str
    language: str
    fallback: bool  # shown in the other language, the member's one being empty

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)


def _language(request: HttpRequest, membership: Membership) -> str:
    """The language the page is shown in, else the member's own."""
    return (get_language() or membership.user.language or "fr")[:2]


def render_body(version: CharterVersion, language: str) -> RenderedBody:
    body, shown = version.body_in(language)
    return RenderedBody(render_markdown(body), shown, shown != language[:2])


# --- Every member


def _charter_url(next_url: str | None) -> str:
    """The charter page, keeping where the member was going (`next`, already checked)."""
    url = reverse("governance:charter")
    if not next_url or len(next_url) > NEXT_MAX:
        return url
    return f"{url}?{urlencode({'next': next_url})}"


@member_view
def charter(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The current charter in the member's language, what changed since the version they
    last accepted, and the Accept button."""
    current = selectors.current_charter(membership.organization)
    next_url = safe_next(request, request.GET.get("next"))
    if current is None:
        return render(request, "governance/charter_none.html")
    last = selectors.last_acknowledgement(membership)
    accepted = last is not None and last.version_id == current.pk
    changes = []
    if last is not None and not accepted:
        changes = selectors.versions_since(
            membership.organization, after=last.version.number, upto=current.number
        )
    language = _language(request, membership)
    return render(
        request,
        "governance/charter.html",
        {
            "version": current,
            "body": render_body(current, language),
            "last": last,
            "accepted": accepted,
            "changes": changes,
            "form": CharterAcceptForm(initial={"version": current.pk, "next": next_url or ""}),
            "next_url": next_url,
        },
    )


@member_view
@require_POST
def charter_accept(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = CharterAcceptForm(request.POST)
    if not form.is_valid():
        return redirect(_charter_url(safe_next(request, request.POST.get("next"))))
    next_url = safe_next(request, form.cleaned_data["next"])
    version = selectors.published_version(membership=membership, pk=form.cleaned_data["version"])
    try:
        services.charter_acknowledge(membership=membership, version=version)
    except Conflict as exc:
        # A newer version was published meanwhile: read that one, then go on.
        messages.warning(request, exc.message)
        return redirect(_charter_url(next_url))
    messages.success(
        request,
        _("Thank you: you accepted version %(number)s of the charter.")
        % {"number": version.number},
    )
    return redirect(next_url or "governance:charter")


# --- Admins: versions


@member_view
def charter_manage(request: HttpRequest, membership: Membership) -> HttpResponse:
    versions = list(selectors.charter_versions(membership=membership))
    has_draft = any(v.is_draft for v in versions)
    return render(
        request,
        "governance/charter_manage.html",
        {"versions": versions, "has_draft": has_draft},
    )


@member_view
@require_http_methods(["GET", "POST"])
def charter_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Start the next version from the current text (the form shows it, to edit)."""
    selectors.charter_versions(membership=membership)  # permission check
    current = selectors.current_charter(membership.organization)
    initial = {"body_fr": current.body_fr, "body_en": current.body_en} if current else {}
    form = CharterDraftForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.charter_draft_create(
                    actor=membership,
                    body_fr=form.cleaned_data["body_fr"],
                    body_en=form.cleaned_data["body_en"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.domain_field)
            else:
                messages.success(
                    request,
                    _("Draft of version %(number)s saved.") % {"number": version.number},
                )
                return redirect("governance:charter_edit", pk=version.pk)
        status = 400
    return render(
        request,
        "governance/charter_form.html",
        {"form": form, "version": None, "current": current},
        status=status,
    )


def _edit_context(membership: Membership, version: CharterVersion) -> dict[str, Any]:
    current = selectors.current_charter(membership.organization)
    return {
        "version": version,
        "current": current,
        "preview_fr": render_markdown(version.body_fr),
        "preview_en": render_markdown(version.body_en),
        "needs_summary": current is not None,
    }


@member_view
@require_http_methods(["GET", "POST"])
def charter_edit(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """A draft: edit it, preview it, publish it. A published version: read it."""
    version = selectors.charter_version(membership=membership, pk=pk)
    if not version.is_draft:
        if request.method == "POST":
            messages.warning(request, _("A published version never changes."))
            return redirect("governance:charter_edit", pk=version.pk)
        return render(
            request, "governance/charter_version.html", _edit_context(membership, version)
        )
    initial = {"body_fr": version.body_fr, "body_en": version.body_en}
    form = CharterDraftForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.charter_draft_update(
                    actor=membership,
                    version=version,
                    body_fr=form.cleaned_data["body_fr"],
                    body_en=form.cleaned_data["body_en"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.domain_field)
            else:
                messages.success(request, _("Draft saved. Check the preview below."))
                return redirect("governance:charter_edit", pk=version.pk)
        status = 400
    context = _edit_context(membership, version)
    context.update({"form": form, "publish_form": CharterPublishForm()})
    return render(request, "governance/charter_form.html", context, status=status)


@member_view
def charter_publish(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    version = selectors.charter_version(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    publish_form = CharterPublishForm(request.POST)
    if publish_form.is_valid():
        try:
            services.charter_publish(
                actor=membership,
                version=version,
                summary_of_changes=publish_form.cleaned_data["summary_of_changes"],
            )
        except DomainError as exc:
            if isinstance(exc, Conflict):
                messages.warning(request, exc.message)
                return redirect("governance:charter_manage")
            apply_domain_error(publish_form, exc, field_map=publish_form.domain_field)
        else:
            messages.success(
                request,
                _("Version %(number)s is published: every member will be asked to accept it.")
                % {"number": version.number},
            )
            return redirect("governance:charter_manage")
    context = _edit_context(membership, version)
    context.update(
        {
            "form": CharterDraftForm(
                initial={"body_fr": version.body_fr, "body_en": version.body_en}
            ),
            "publish_form": publish_form,
        }
    )
    return render(request, "governance/charter_form.html", context, status=400)


@member_view
def charter_delete(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    version = selectors.charter_version(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    try:
        services.charter_draft_delete(actor=membership, version=version)
    except Conflict as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("The draft was deleted."))
    return redirect("governance:charter_manage")


# --- Acknowledgements


@member_view
def acknowledgements(request: HttpRequest, membership: Membership) -> HttpResponse:
    versions = list(selectors.published_versions(membership=membership))
    filter_form = AckFilterForm(request.GET or None, versions=versions)
    version_id = filter_form.cleaned_data["version"] if filter_form.is_valid() else None
    qs = selectors.acknowledgements(membership=membership, version_id=version_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    current = versions[0] if versions else None
    missing = (
        selectors.members_without_ack(membership=membership, version=current) if current else 0
    )
    export_url = reverse("governance:acknowledgements_csv")
    if version_id:
        export_url += f"?version={version_id}"
    return render(
        request,
        "governance/acknowledgements.html",
        {
            "filter_form": filter_form,
            "page": page,
            "current": current,
            "missing": missing,
            "export_url": export_url,
        },
    )


@member_view
def acknowledgements_csv(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    versions = list(selectors.published_versions(membership=membership))
    filter_form = AckFilterForm(request.GET or None, versions=versions)
    version_id = filter_form.cleaned_data["version"] if filter_form.is_valid() else None
    acks = selectors.iter_acknowledgements(membership=membership, version_id=version_id)
    rows = (
        [
            ack.membership.user.display_name,
            ack.membership.user.email,
            ack.version.number,
            ack.at.isoformat(),
        ]
        for ack in acks
    )
    return csv_response(
        "charter-acknowledgements.csv",
        [_("Name"), _("Email"), _("Version"), _("Accepted at")],
        rows,
    )
