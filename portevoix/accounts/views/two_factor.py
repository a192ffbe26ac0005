"""Two-step verification: the login's second step and the person's Security page.

After a correct password, a person with an authenticator app set up is not logged in yet:
the session keeps who they are for `PENDING_SECONDS` and the safe `next`, and the second step
(`login_code`) logs them in once a code from the app, or a recovery code, is right. A wrong
code counts as a failed login for the login throttle (django-axes, by account: the same
lock as wrong passwords); a locked account gets the login page's lock message. A person
without two-step verification logs in exactly as before.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.web import apply_domain_error, current_membership, safe_next

from .. import services
from ..forms import TwoFactorCodeForm
from ..models import User
from ..throttle import lockout_minutes
from ..two_factor import must_set_up, qr_svg
from .auth import LoginView, locked_out
from .common import current_user

PENDING_KEY = "portevoix_two_factor_login"
PENDING_SECONDS = 10 * 60


class PasswordLoginView(LoginView):
    """The login page (single sign-on's refusal of password login included); a person with
    two-step verification goes on to the second step."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        self.request.session.pop(PENDING_KEY, None)
        if not services.two_factor_enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_redirect_url(),  # "" unless a safe address of this site
            "at": int(clock.now().timestamp()),
        }
        return HttpResponseRedirect(reverse("accounts:login_code"))


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if int(clock.now().timestamp()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = services.two_factor_login_user(pending.get("user"))
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        messages.info(request, _("Log in with your email address and password first."))
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.email}
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return locked_out(request)
        if form.is_valid():
            kind = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
            if kind is not None:
                request.session.pop(PENDING_KEY, None)
                login(request, user, backend=pending["backend"] or None)
                if kind == services.RECOVERY:
                    left = services.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You logged in with a recovery code: %(count)d is left. "
                            "Make new ones on your Security page.",
                            "You logged in with a recovery code: %(count)d are left. "
                            "Make new ones on your Security page.",
                            left,
                        )
                        % {"count": left},
                    )
                next_url = safe_next(request, pending.get("next"))
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
            # A wrong code is a failed login for the throttle (by account).
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING_KEY, None)
                return locked_out(request)
            form.add_error("code", _("This code is not right, or it was already used."))
    return render(
        request, "accounts/login_code.html", {"form": form, "next": pending.get("next", "")}
    )


# --- The Security page (the person's own, under "Me")


def _security_page(request: HttpRequest, **context: Any) -> HttpResponse:
    user = current_user(request)
    device = services.two_factor_device(user)
    enabled = device is not None and device.confirmed_at is not None
    context.setdefault("disable_form", TwoFactorCodeForm(prefix="disable"))
    context.setdefault("regenerate_form", TwoFactorCodeForm(prefix="regenerate"))
    errors = context["disable_form"].errors or context["regenerate_form"].errors
    response = render(
        request,
        "accounts/security.html",
        {
            "device": device if enabled else None,
            "codes_left": services.recovery_codes_left(user) if enabled else 0,
            "required": (m := current_membership(request)) is not None and must_set_up(m),
            **context,
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def security_setup(request: HttpRequest) -> HttpResponse:
    """Begin (a POST without a code), then scan the QR code and confirm with a code."""
    user = current_user(request)
    form = TwoFactorCodeForm(
        request.POST if "code" in request.POST else None,
        help_text=_("The six digits your authenticator app shows now."),
    )
    if request.method == "POST" and "code" not in request.POST:
        try:
            services.two_factor_begin(user=user)
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect("accounts:security")
        return redirect("accounts:security_setup")
    setup = services.two_factor_pending_setup(user)
    if setup is None:
        return redirect("accounts:security")
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except Conflict as exc:
            messages.info(request, exc.message)
            return redirect("accounts:security")
        except DomainError as exc:
            apply_domain_error(form, exc, field_map=form.map_domain_field)
        else:
            messages.success(request, _("Two-step verification is on."))
            return _codes_page(request, codes)
    response = render(
        request,
        "accounts/security_setup.html",
        {
            "form": form,
            "qr": qr_svg(setup.uri),
            "secret_groups": [setup.secret[i : i + 4] for i in range(0, len(setup.secret), 4)],
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the secret is on it
    return response


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    response = render(request, "accounts/security_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"  # shown once
    return response


def _wrong_code(request: HttpRequest, form: TwoFactorCodeForm, exc: DomainError) -> None:
    """A wrong code on the Security page counts for the login throttle, like at login; the
    page (not the login page) says so once the account is locked."""
    user_login_failed.send(
        sender=__name__, credentials={"username": current_user(request).email}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # type: ignore[attr-defined]
        form.add_error(None, _locked_message())
    else:
        apply_domain_error(form, exc, field_map=form.map_domain_field)


def _locked_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many wrong codes. Try again in %(minutes)d minute.",
        "Too many wrong codes. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _code_action(request: HttpRequest, prefix: str) -> tuple[TwoFactorCodeForm, bool]:
    """The posted form, and whether its code may be checked (the account is not locked)."""
    form = TwoFactorCodeForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return form, False
    if AxesProxyHandler.is_locked(request, {"username": current_user(request).email}):
        form.add_error(None, _locked_message())
        return form, False
    return form, True


@login_required
@require_POST
def security_disable(request: HttpRequest) -> HttpResponse:
    form, ready = _code_action(request, "disable")
    if ready:
        try:
            services.two_factor_disable(user=current_user(request), code=form.cleaned_data["code"])
        except DomainError as exc:
            _wrong_code(request, form, exc)
        else:
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:security")
    return _security_page(request, disable_form=form)


@login_required
@require_POST
def security_recovery_codes(request: HttpRequest) -> HttpResponse:
    form, ready = _code_action(request, "regenerate")
    if ready:
        try:
            codes = services.recovery_codes_regenerate(
                user=current_user(request), code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            _wrong_code(request, form, exc)
        else:
            messages.success(request, _("New recovery codes: the old ones no longer work."))
            return _codes_page(request, codes)
    return _security_page(request, regenerate_form=form)
