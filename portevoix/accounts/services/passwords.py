"""Password reset by email, and unlocking an account locked by the login throttle.

The reset email goes through the queue after the request's transaction commits; only the
user's id is queued, the link (with Django's signed, expiring token) is made when the email
is sent. Someone who asks gets the same answer whether the address has an account or not.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..models import Membership, User
from ..permissions import require


def password_reset_request(*, email: str, language: str) -> None:
    """Queue a reset email for the active account with this address, if there is one.

    Nothing tells the caller whether an email goes out (no account enumeration)."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).only("pk").first()
    if user is None:
        return
    user_id = user.pk
    transaction.on_commit(lambda: _queue_reset_email(user_id, language))


def _queue_reset_email(user_id: int, language: str) -> None:
    from ..tasks import send_password_reset_email

    send_password_reset_email(user_id, language)


def password_reset_url(user: User) -> str:
    """A one-time link to choose a new password (valid PASSWORD_RESET_TIMEOUT seconds; it
    stops working once the password changes or the person logs in)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def password_reset_email_send(*, user_id: int, language: str) -> bool:
    """Send the reset email. Nothing for an account gone or deactivated meanwhile."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    with override(user.language or language):
        subject = _("Choose a new Portevoix password")
        body = _(
            "Someone (probably you) asked to reset the password of your Portevoix account "
            "%(email)s.\n\n"
            "Choose a new password: %(url)s\n\n"
            "This link works once, for %(minutes)d minutes. If you did not ask, ignore this "
            "email: your password does not change."
        ) % {"email": user.email, "url": password_reset_url(user), "minutes": minutes}
    send_mail(subject, body, None, [user.email])
    return True


def password_reset_done(*, user: User) -> None:
    """After a new password is set through a reset link: the login lock, if any, is lifted."""
    axes_reset(username=user.email.lower())


def login_unlock(*, actor: Membership, target: Membership) -> int:
    """An admin lifts the login lock of a member of their organization. Returns how many
    attempt rows were cleared (0: the account was not locked)."""
    require(actor, "member.manage", target)
    return int(axes_reset(username=target.user.email.lower()))
