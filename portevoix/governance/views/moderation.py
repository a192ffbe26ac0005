"""The moderation queue (community managers) and reporting a content item (every member)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portevoix.accounts.permissions import require
from portevoix.core import audit_labels
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.web import apply_domain_error, member_view, post_only

from .. import selectors, services
from ..forms import CaseFilterForm, DecisionForm, ReportForm
from ..models import CaseStatus, ModerationCase
from ..services import Decision
from .common import PAGE_SIZE

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

DECISION_MESSAGES = {
    Decision.APPROVE: gettext_lazy("Approved: the case is closed."),
    Decision.REJECT: gettext_lazy("Rejected: the author will receive your reason by email."),
    Decision.REMOVE: gettext_lazy("Removed: the author will receive your reason by email."),
}


@member_view
def queue(request: HttpRequest, membership: Membership) -> HttpResponse:
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = CaseStatus.OPEN
    filter_form = CaseFilterForm(data)
    status = source = None
    if filter_form.is_valid():
        status = filter_form.cleaned_data["status"] or None
        source = filter_form.cleaned_data["source"] or None
    qs = selectors.cases(membership=membership, status=status, source=source)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    cases = list(page)
    names = audit_labels.describe_objects(
        membership.organization_id, ((c.object_type, c.object_id) for c in cases)
    )
    rows = [(c, names[(c.object_type, c.object_id)]) for c in cases]
    return render(
        request,
        "governance/queue.html",
        {"page": page, "rows": rows, "filter_form": filter_form},
    )


def _case_page(
    request: HttpRequest,
    case: ModerationCase,
    *,
    forms: dict[str, DecisionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    decision_forms = {name: DecisionForm(prefix=name) for name in Decision.ALL}
    decision_forms.update(forms or {})
    return render(
        request,
        "governance/case.html",
        {
            "case": case,
            "object_label": audit_labels.describe_objects(
                case.organization_id, [(case.object_type, case.object_id)]
            )[(case.object_type, case.object_id)],
            "forms": decision_forms,
            "is_open": case.status == CaseStatus.OPEN,
        },
        status=status,
    )


@member_view
def case_detail(request: HttpRequest, membership: Membership, pk: int) -> HttpResponse:
    case = selectors.case(membership=membership, pk=pk)
    return _case_page(request, case)


@member_view
def case_decide(
    request: HttpRequest, membership: Membership, pk: int, decision: str
) -> HttpResponse:
    case = selectors.case(membership=membership, pk=pk)
    if refused := post_only(request):
        return refused
    if decision not in Decision.ALL:
        raise Http404("Unknown decision")
    form = DecisionForm(request.POST, prefix=decision)
    if not form.is_valid():
        return _case_page(request, case, forms={decision: form}, status=400)
    try:
        services.moderation_decide(
            actor=membership, case=case, decision=decision, reason=form.cleaned_data["reason"]
        )
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect("governance:case", pk=case.pk)
    except DomainError as exc:
        apply_domain_error(form, exc, field_map=form.domain_field)
        return _case_page(request, case, forms={decision: form}, status=400)
    messages.success(request, str(DECISION_MESSAGES[decision]))
    return redirect("governance:queue")


@member_view
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Report a content item, or one share of it, to the moderators (GET ?item=<id> or
    ?share=<id> shows the form for it; an id the member cannot see gives 404)."""
    require(membership, "content.report")
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.moderation_report(
                    membership=membership,
                    item_id=form.cleaned_data["item"],
                    share_id=form.cleaned_data["share"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map=form.domain_field)
            else:
                messages.success(request, _("Thank you: the moderators will look at this content."))
                return redirect("governance:report_done")
        return render(
            request, "governance/report.html", _report_context(membership, form), status=400
        )
    form = ReportForm(initial={"item": request.GET.get("item"), "share": request.GET.get("share")})
    return render(request, "governance/report.html", _report_context(membership, form))


def _report_context(membership: Membership, form: ReportForm) -> dict[str, object]:
    """What the form is about: the share (and its item) or the item, checked visible."""
    item = share = None
    raw_share = str(form["share"].value() or "")
    raw_item = str(form["item"].value() or "")
    if raw_share.isdigit() and len(raw_share) < 19:
        share = selectors.reportable_share(membership=membership, share_id=int(raw_share))
        item = share.item
    elif raw_item.isdigit() and len(raw_item) < 19:
        item = selectors.reportable_item(membership=membership, item_id=int(raw_item))
    return {"form": form, "item": item, "share": share}


@member_view
def report_done(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "governance/report_done.html")
