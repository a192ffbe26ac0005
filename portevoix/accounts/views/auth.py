"""Logging in: the login form (password login may be refused for an address whose
organization requires single sign-on: `signals.password_login`), the locked-out answer of the
login throttle, and password reset by email.

Django's auth views do the work (signed tokens that expire and work once); ours send the
email through the queue and render the house templates.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import get_language, ngettext

from .. import services, signals
from ..throttle import client_username, lockout_minutes


class LoginForm(AuthenticationForm):
    """Django's login form, asking the `password_login` receivers first: an address whose
    organization logs in through its identity provider is refused before its password is
    tried (so the refusal counts no failed attempt)."""

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip()
        if email and (refusal := signals.password_login_refusal(email)):
            raise ValidationError(refusal, code="single_sign_on")
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page again, with the lock's message (AXES_LOCKOUT_CALLABLE), status 429.

    The form is not bound: binding it would try the password once more."""
    minutes = lockout_minutes()
    message = ngettext(
        "Too many attempts. Try again in %(minutes)d minute, or reset your password.",
        "Too many attempts. Try again in %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    form = LoginForm(request, initial={"username": client_username(request, None)})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": message, "next": request.POST.get("next", "")},
        status=429,
    )


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Ask for a reset link: the same answer whether the address has an account or not."""

    template_name = "accounts/password_reset_form.html"
    http_method_names = ["get", "post", "head", "options"]  # Django's FormView takes PUT too
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        services.password_reset_request(
            email=form.cleaned_data["email"], language=get_language() or "en"
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reset_minutes"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
        return context


class PasswordResetSetView(auth_views.PasswordResetConfirmView):
    """Choose the new password from the emailed link (Django checks the token)."""

    template_name = "accounts/password_reset_confirm.html"
    http_method_names = ["get", "post", "head", "options"]
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_reset_done(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
