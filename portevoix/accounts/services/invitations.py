"""Invitations: send, accept, withdraw."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import scoped

from ..models import (
    Invitation,
    Membership,
    Team,
    User,
)
from ..permissions import require
from .common import secret_hash
from .members import clean_roles, membership_add

# --- Invitations


@dataclass
class IssuedInvitation:
    invitation: Invitation
    token: str
    url: str


def invitation_create(
    *,
    actor: Membership,
    email: str,
    roles: list[str] | None = None,
    team_ids: list[int] | None = None,
    language: str = "en",
) -> IssuedInvitation:
    """Invite someone by email. The link carries a random token; only its hash is stored."""
    require(actor, "member.invite")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            _("Enter a valid email address."),
            field_errors={"email": [_("Enter a valid email address.")]},
        ) from exc
    clean = clean_roles(roles or [])
    org = actor.organization
    members = scoped(Membership, org).filter(is_active=True)
    if members.filter(user__email__iexact=email).exists():
        raise Conflict(
            _("This person is already a member."), field_errors={"email": [_("Already a member.")]}
        )
    teams = list(scoped(Team, org).filter(pk__in=team_ids)) if team_ids else []
    if team_ids and len(teams) != len(set(team_ids)):
        # A team of another organization (or none) is refused, not silently dropped.
        raise DomainError(_("Unknown team."), field_errors={"team_ids": [_("Unknown team.")]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            roles=clean,
            token_hash=secret_hash(token),
            token_sealed=crypto.encrypt(token),
            invited_by=actor.user,
            expires_at=clock.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        if teams:
            invitation.teams.set(teams)
        # Only the id goes to the queue: the task unseals the token when it sends.
        transaction.on_commit(lambda: _send_invitation(invitation.pk, language))
    return IssuedInvitation(invitation=invitation, token=token, url=invitation_url(token))


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/invitations/{token}/"


def _send_invitation(invitation_id: int, language: str) -> None:
    from ..tasks import send_invitation_email

    send_invitation_email(invitation_id, language)


def invitation_email_send(*, invitation_id: int, language: str) -> bool:
    """Send the invitation's email, building the accept link from the sealed token.

    Nothing is sent for an invitation already used, withdrawn, expired or already emailed
    (the sealed token is gone). Returns whether an email went out."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or not invitation.token_sealed
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= clock.now()
    ):
        return False
    try:
        url = invitation_url(crypto.decrypt(invitation.token_sealed))
    except crypto.DecryptionError:
        return False  # the encryption key changed: the inviter can invite again
    with override(language):
        subject = _("You are invited to %(org)s on Portevoix") % {
            "org": invitation.organization.name
        }
        body = _(
            "%(who)s invites you to join %(org)s on Portevoix, the employee advocacy platform.\n\n"
            "Accept the invitation: %(url)s\n\n"
            "This link expires on %(date)s. Becoming an ambassador is always voluntary."
        ) % {
            "who": invitation.invited_by.display_name if invitation.invited_by else "Portevoix",
            "org": invitation.organization.name,
            "url": url,
            "date": invitation.expires_at.strftime("%Y-%m-%d"),
        }
    send_mail(subject, body, None, [invitation.email])
    # The token now lives only in the email (and its hash here).
    Invitation.objects.filter(pk=invitation.pk).update(token_sealed="")
    return True


def invitation_by_token(token: str) -> Invitation:
    try:
        invitation = Invitation.objects.select_related("organization").get(
            token_hash=secret_hash(token)
        )
    except Invitation.DoesNotExist as exc:
        raise NotFound(_("This invitation does not exist.")) from exc
    if invitation.revoked_at is not None:
        raise Conflict(_("This invitation was withdrawn."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used."))
    if invitation.expires_at <= clock.now():
        raise Conflict(_("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept an invitation, as the logged-in `user` or by creating an account."""
    invitation = invitation_by_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used."))
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise Conflict(
                _("An account exists for this email: log in first, then open the link again.")
            )
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password)
        except ValidationError as exc:
            raise DomainError(
                _("Choose another password."), field_errors={"password": list(exc.messages)}
            ) from exc
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    elif user.email.lower() != invitation.email.lower():
        raise DomainError(_("This invitation was sent to another email address."))
    membership = membership_add(
        organization=invitation.organization,
        user=user,
        roles=list(invitation.roles),
        team_ids=list(invitation.teams.values_list("pk", flat=True)),
    )
    invitation.accepted_at = clock.now()
    invitation.token_sealed = ""
    invitation.save(update_fields=["accepted_at", "token_sealed"])
    return membership


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    require(actor, "member.invite", invitation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
        invitation.token_sealed = ""
        invitation.save(update_fields=["revoked_at", "token_sealed"])
