"""First run (issue 11, section 6): a platform superuser creates a real organization with
its first admin, who gets an email to choose their password. `manage.py create_organization`
does the same from a terminal.

Only a superuser (Django's `createsuperuser`) reaches this page; anyone else gets a 404.
A page open to anybody while the database has no organization would let the first visitor
of a fresh install take it over; and once `make run` has loaded the demo it would never open.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from portevoix.core.errors import DomainError
from portevoix.core.web import apply_domain_error

from .. import services
from ..forms import FirstRunForm
from .common import current_user


@login_required
@require_http_methods(["GET", "POST"])
def organization_setup(request: HttpRequest) -> HttpResponse:
    if not current_user(request).is_superuser:
        raise Http404("Not found")
    form = FirstRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.organization_first_run(
                name=form.cleaned_data["name"],
                admin_email=form.cleaned_data["admin_email"],
                admin_name=form.cleaned_data["admin_name"],
                language=form.cleaned_data["language"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            if result.created:
                services.password_reset_request(
                    email=result.admin.email, language=get_language() or "en"
                )
            return render(
                request,
                "accounts/first_run_done.html",
                {
                    "organization": result.organization,
                    "admin": result.admin,
                    "created": result.created,
                },
            )
    status = 400 if form.errors else 200
    return render(request, "accounts/first_run.html", {"form": form}, status=status)
