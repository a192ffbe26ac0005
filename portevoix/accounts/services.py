"""Every write about organizations, people, roles, teams, invitations and enrolment."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from .models import (
    AmbassadorProfile,
    ApiToken,
    ConsentEvent,
    Invitation,
    Membership,
    MembershipRole,
    NetworkPresence,
    Organization,
    Team,
    User,
)
from .permissions import forget_roles, require
from .roles import ASSIGNABLE_ROLE_CODES, Role


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def organization_create(*, name: str, owner: User, slug: str | None = None) -> Organization:
    """A new tenant, with `owner` as its first admin."""
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    org = Organization.objects.create(name=name, slug=slug or slugify(name)[:60])
    membership = Membership.objects.create(organization=org, user=owner)
    MembershipRole.objects.create(membership=membership, role=Role.ADMIN)
    return org


ORGANIZATION_LANGUAGES = ("fr", "en")
MAX_APPROVALS = 10


@transaction.atomic
def organization_update(
    *,
    actor: Membership,
    organization: Organization,
    name: str | None = None,
    default_language: str | None = None,
    approvals_required: int | None = None,
    final_approval_required: bool | None = None,
) -> Organization:
    """Change the organization's settings. Only its administrators may; `None` keeps a value."""
    require(actor, "org.manage")
    if organization.pk != actor.organization_id:
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    changes: dict[str, object] = {}
    if name is not None:
        name = name.strip()
        max_length = Organization._meta.get_field("name").max_length or 120
        if not name:
            errors["name"] = [_("Required.")]
        elif len(name) > max_length:
            errors["name"] = [_("At most %(max)d characters.") % {"max": max_length}]
        else:
            changes["name"] = name
    if default_language is not None:
        if default_language not in ORGANIZATION_LANGUAGES:
            errors["default_language"] = [_("Choose French or English.")]
        else:
            changes["default_language"] = default_language
    if approvals_required is not None:
        if (
            isinstance(approvals_required, bool)
            or not isinstance(approvals_required, int)
            or not 1 <= approvals_required <= MAX_APPROVALS
        ):
            errors["approvals_required"] = [
                _("Enter a number from 1 to %(max)d.") % {"max": MAX_APPROVALS}
            ]
        else:
            changes["approvals_required"] = approvals_required
    if final_approval_required is not None:
        changes["final_approval_required"] = bool(final_approval_required)
    if errors:
        raise DomainError(_("The settings have errors."), field_errors=errors)
    for attribute, value in changes.items():
        setattr(organization, attribute, value)
    if changes:
        organization.save(update_fields=list(changes))
    return organization


def _clean_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ASSIGNABLE_ROLE_CODES]
    if unknown:
        raise DomainError(
            _("Unknown or non-assignable role: %(roles)s.") % {"roles": ", ".join(unknown)},
            field_errors={
                "roles": [
                    _("Ambassadors opt in themselves; other roles are: ")
                    + ", ".join(sorted(ASSIGNABLE_ROLE_CODES))
                ]
            },
        )
    return sorted(set(roles))


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    roles: list[str] | None = None,
    team_ids: list[int] | None = None,
    title: str = "",
) -> Membership:
    clean = _clean_roles(roles or [])
    membership, _created = scoped(Membership, organization).get_or_create(
        user=user, defaults={"organization": organization, "title": title}
    )
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    for role in clean:
        MembershipRole.objects.get_or_create(membership=membership, role=role)
    if team_ids:
        membership.teams.add(*scoped(Team, organization).filter(pk__in=team_ids))
    return membership


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    roles: list[str] | None = None,
    team_ids: list[int] | None = None,
    title: str | None = None,
    is_active: bool | None = None,
) -> Membership:
    require(actor, "member.manage", membership)
    org = membership.organization
    if roles is not None:
        clean = _clean_roles(roles)
        if Role.ADMIN not in clean and membership.role_rows.filter(role=Role.ADMIN).exists():
            _ensure_other_admin(org, membership)
        membership.role_rows.exclude(role__in=[*clean, Role.AMBASSADOR]).delete()
        for role in clean:
            MembershipRole.objects.get_or_create(membership=membership, role=role)
    if team_ids is not None:
        teams = list(scoped(Team, org).filter(pk__in=team_ids))
        if len(teams) != len(set(team_ids)):
            raise DomainError(_("Unknown team."), field_errors={"team_ids": [_("Unknown team.")]})
        membership.teams.set(teams)
    fields = []
    if title is not None:
        membership.title = title[:120]
        fields.append("title")
    if is_active is not None and is_active != membership.is_active:
        if not is_active and membership.role_rows.filter(role=Role.ADMIN).exists():
            _ensure_other_admin(org, membership)
        membership.is_active = is_active
        fields.append("is_active")
    if fields:
        membership.save(update_fields=fields)
    forget_roles(membership)
    return membership


def _ensure_other_admin(org: Organization, membership: Membership) -> None:
    active = scoped(Membership, org).filter(is_active=True).exclude(pk=membership.pk)
    others = MembershipRole.objects.filter(membership__in=active, role=Role.ADMIN)
    if not others.exists():
        raise Conflict(_("An organization keeps at least one active administrator."))


# --- Teams


@transaction.atomic
def team_create(*, actor: Membership, name: str, kind: str = "department") -> Team:
    require(actor, "team.manage")
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    if kind not in dict(Team.KIND_CHOICES):
        raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
    if scoped(Team, actor.organization).filter(name__iexact=name).exists():
        raise Conflict(
            _("A team has this name already."), field_errors={"name": [_("Already exists.")]}
        )
    return Team.objects.create(organization=actor.organization, name=name, kind=kind)


@transaction.atomic
def team_update(
    *, actor: Membership, team: Team, name: str | None = None, kind: str | None = None
) -> Team:
    require(actor, "team.manage", team)
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
        same_name = scoped(Team, team.organization).filter(name__iexact=name)
        if same_name.exclude(pk=team.pk).exists():
            raise Conflict(
                _("A team has this name already."), field_errors={"name": [_("Already exists.")]}
            )
        team.name = name
    if kind is not None:
        if kind not in dict(Team.KIND_CHOICES):
            raise DomainError(_("Unknown kind."), field_errors={"kind": [_("Unknown kind.")]})
        team.kind = kind
    team.save(update_fields=["name", "kind"])
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    require(actor, "team.manage", team)
    team.delete()


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
    clean = _clean_roles(roles or [])
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
            token_hash=_hash(token),
            invited_by=actor.user,
            expires_at=clock.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        if teams:
            invitation.teams.set(teams)
        url = f"{settings.SITE_URL}/invitations/{token}/"
        transaction.on_commit(lambda: _send_invitation(invitation.pk, url, language))
    return IssuedInvitation(invitation=invitation, token=token, url=url)


def _send_invitation(invitation_id: int, url: str, language: str) -> None:
    from .tasks import send_invitation_email

    send_invitation_email(invitation_id, url, language)


def invitation_email_send(*, invitation_id: int, url: str, language: str) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
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


def invitation_by_token(token: str) -> Invitation:
    try:
        invitation = Invitation.objects.select_related("organization").get(token_hash=_hash(token))
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
    invitation.save(update_fields=["accepted_at"])
    return membership


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    require(actor, "member.invite", invitation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at"])


# --- Voluntary enrolment


@dataclass
class PresenceData:
    network: str
    audience: int = 0
    handle: str = ""
    instance: str = ""


@dataclass
class EnrolmentData:
    topic_ids: list[int] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    help_with: list[str] = field(default_factory=list)
    networks: list[PresenceData] = field(default_factory=list)


def _interest_model() -> type[Model]:
    """The model of the enrolment's interests (content's Topic), reached through the string
    foreign key: accounts imports nothing from content."""
    return cast(type[Model], AmbassadorProfile._meta.get_field("interests").related_model)


def _validate_enrolment(membership: Membership, data: EnrolmentData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.languages or any(lang not in {"fr", "en"} for lang in data.languages):
        errors["languages"] = [_("Choose at least one language: French or English.")]
    helps = dict(AmbassadorProfile.HELP_CHOICES)
    if not data.help_with or any(h not in helps for h in data.help_with):
        errors["help_with"] = [_("Choose how you want to help.")]
    if data.topic_ids:
        topics = scoped(_interest_model(), membership.organization)
        found = topics.filter(pk__in=data.topic_ids).count()
        if found != len(set(data.topic_ids)):
            errors["topic_ids"] = [_("Unknown topic.")]
    seen: set[str] = set()
    for index, presence in enumerate(data.networks):
        if presence.network not in Network.ALL:
            errors[f"networks.{index}.network"] = [_("Unknown network.")]
        elif presence.network in seen:
            errors[f"networks.{index}.network"] = [_("This network is listed twice.")]
        seen.add(presence.network)
        if presence.audience < 0 or presence.audience > 500_000_000:
            errors[f"networks.{index}.audience"] = [_("Enter a number of followers.")]
        if presence.network == Network.MASTODON and presence.instance:
            host = presence.instance.strip().lower().removeprefix("https://").strip("/")
            if not host or "/" in host or " " in host or "." not in host:
                errors[f"networks.{index}.instance"] = [
                    _("Enter the instance host, e.g. mastodon.social.")
                ]
    return errors


@transaction.atomic
def ambassador_opt_in(*, membership: Membership, data: EnrolmentData) -> AmbassadorProfile:
    """The member chooses to become an ambassador. Only they can do this."""
    require(membership, "ambassador.enrol")
    errors = _validate_enrolment(membership, data)
    if errors:
        raise DomainError(_("Your sign-up has errors."), field_errors=errors)
    profile, _created = AmbassadorProfile.objects.select_for_update().get_or_create(
        membership=membership
    )
    now = clock.now()
    if not profile.opted_in:
        profile.opted_in = True
        profile.opted_in_at = now
        ConsentEvent.objects.create(
            organization=membership.organization, membership=membership, kind="opt_in", at=now
        )
    _save_profile(profile, data)
    membership.ambassador = profile  # keep the cached relation in step with the database
    forget_roles(membership)
    return profile


@transaction.atomic
def ambassador_update(*, membership: Membership, data: EnrolmentData) -> AmbassadorProfile:
    require(membership, "ambassador.enrol")
    errors = _validate_enrolment(membership, data)
    if errors:
        raise DomainError(_("Your profile has errors."), field_errors=errors)
    profile, _created = AmbassadorProfile.objects.get_or_create(membership=membership)
    _save_profile(profile, data)
    return profile


def _save_profile(profile: AmbassadorProfile, data: EnrolmentData) -> None:
    profile.languages = sorted(set(data.languages))
    profile.help_with = sorted(set(data.help_with))
    profile.save()
    profile.interests.set(data.topic_ids)
    profile.networks.all().delete()
    NetworkPresence.objects.bulk_create(
        NetworkPresence(
            profile=profile,
            network=p.network,
            audience=p.audience,
            handle=p.handle.strip()[:200],
            instance=p.instance.strip().lower().removeprefix("https://").strip("/")[:200],
        )
        for p in data.networks
    )


@transaction.atomic
def ambassador_opt_out(*, membership: Membership) -> None:
    """Withdraw at any time, with no questions asked. The withdrawal is recorded."""
    require(membership, "ambassador.enrol")
    try:
        profile = AmbassadorProfile.objects.select_for_update().get(membership=membership)
    except AmbassadorProfile.DoesNotExist:
        return
    if profile.opted_in:
        now = clock.now()
        profile.opted_in = False
        profile.opted_out_at = now
        profile.save(update_fields=["opted_in", "opted_out_at"])
        ConsentEvent.objects.create(
            organization=membership.organization, membership=membership, kind="opt_out", at=now
        )
    membership.ambassador = profile  # keep the cached relation in step with the database
    forget_roles(membership)


# --- API tokens


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str


def api_token_create(*, membership: Membership, name: str) -> IssuedToken:
    require(membership, "token.manage_own")
    name = name.strip()[:80]
    if not name:
        raise DomainError(_("Name the token."), field_errors={"name": [_("Required.")]})
    secret = "pv_" + secrets.token_urlsafe(32)
    for _attempt in range(3):
        try:
            token = ApiToken.objects.create(
                organization=membership.organization,
                user=membership.user,
                name=name,
                prefix=secret[:10],
                token_hash=_hash(secret),
            )
            return IssuedToken(token=token, secret=secret)
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            secret = "pv_" + secrets.token_urlsafe(32)
    raise Conflict("could not create a token")


def api_token_revoke(*, membership: Membership, token: ApiToken) -> None:
    if token.user_id != membership.user_id or token.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(secret: str) -> Membership | None:
    """The membership a bearer token acts as, or None. Touches last_used_at at most hourly."""
    if not secret or not secret.startswith("pv_"):
        return None
    try:
        token = ApiToken.objects.select_related("organization", "user").get(
            token_hash=_hash(secret), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    membership = (
        scoped(Membership, token.organization)
        .select_related("organization", "user")
        .filter(user=token.user, is_active=True)
        .first()
    )
    if membership is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return membership


# --- The person's own settings


def time_zones() -> list[str]:
    """Every IANA time zone name, sorted (what `user_time_zone_set` accepts)."""
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """The person's time zone (IANA name), used to schedule and to find their best times;
    empty: the platform's (settings.TIME_ZONE)."""
    time_zone = time_zone.strip()
    if time_zone and time_zone not in set(time_zones()):
        message = _("Unknown time zone.")
        raise DomainError(message, field_errors={"time_zone": [message]})
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
    return user
