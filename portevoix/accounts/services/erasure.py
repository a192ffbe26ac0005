"""A person's erasure, accounts' part (docs/decisions/0022-erasure.md).

`member_erase_begin` moves the membership onto a new pseudonymous account ("Former member
#<short id>", no password, inactive), so that every row counted on the membership (shares,
links, clicks, points...) stays where it is; it empties the membership's own words (title,
ambassador choices, network presences, consents, roles, API tokens, invitations). The
other apps then do their part with the `ErasedPerson` it returns, and `member_erase_finish`
deletes the login the person used when no other organization holds it.
"""

from __future__ import annotations

import secrets

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.erasure import ErasedPerson, words_of
from portevoix.core.tenancy import scoped

from .. import signals
from ..models import (
    AmbassadorProfile,
    ApiToken,
    ConsentEvent,
    Invitation,
    Membership,
    MembershipRole,
    NetworkPresence,
    Organization,
    User,
)
from ..permissions import forget_roles

ERASED_DOMAIN = "erased.invalid"
MAX_ERASE_AFTER_DAYS = 3650


def pseudonym_for(organization: Organization, short_id: str) -> str:
    with translation.override(organization.default_language or "fr"):
        return _("Former member #%(id)s") % {"id": short_id}


def member_erase_begin(*, membership: Membership) -> ErasedPerson | None:
    """Lock the membership and pseudonymize accounts' rows of it; None when it was already
    erased (a second erasure changes nothing). Call inside the erasure's transaction."""
    locked = (
        scoped(Membership, membership.organization_id)
        .select_for_update(of=("self",))  # the membership only, not its account or org
        .select_related("user", "organization")
        .get(pk=membership.pk)
    )
    if locked.erased_at is not None:
        return None
    user, organization = locked.user, locked.organization
    profile = AmbassadorProfile.objects.filter(membership=locked).first()
    presences = list(NetworkPresence.objects.filter(profile__membership=locked))
    words = words_of(
        user.full_name,
        user.first_name,
        user.last_name,
        user.email,
        locked.title,
        profile.pseudonym if profile else "",
        *[p.handle for p in presences],
    )
    short_id = secrets.token_hex(3)
    pseudonym = pseudonym_for(organization, short_id)
    placeholder = User.objects.create_user(
        f"former-{locked.pk}-{short_id}@{ERASED_DOMAIN}",
        None,
        full_name=pseudonym,
        is_active=False,
        language="",
        time_zone="",
    )
    now = clock.now()
    locked.user = placeholder
    locked.title = ""
    locked.is_active = False
    locked.left_at = locked.left_at or now
    locked.erased_at = now
    locked.save(update_fields=["user", "title", "is_active", "left_at", "erased_at"])
    MembershipRole.objects.filter(membership=locked).delete()
    forget_roles(locked)
    if profile is not None:
        profile.opted_in = False
        profile.pseudonym = ""
        profile.languages = []
        profile.help_with = []
        profile.visibility = ""
        profile.save(
            update_fields=["opted_in", "pseudonym", "languages", "help_with", "visibility"]
        )
        profile.interests.clear()
    NetworkPresence.objects.filter(profile__membership=locked).delete()
    # The consents' history goes: the audit log keeps the fact of the erasure.
    scoped(ConsentEvent, organization).filter(membership=locked).delete()
    scoped(ApiToken, organization).filter(user=user).delete()
    invitations = scoped(Invitation, organization)
    invitations.filter(email__iexact=user.email).delete()
    invitations.filter(invited_by=user).update(invited_by=placeholder)
    person = ErasedPerson(
        organization_id=organization.pk,
        membership_id=locked.pk,
        user_id=user.pk,
        placeholder_user_id=placeholder.pk,
        pseudonym=pseudonym,
        email=user.email,
        language=organization.default_language or "fr",
        words=words,
    )
    # The apps at the top that no one imports (the calendar's feed tokens) do their part.
    signals.member_erasing.send(sender=Membership, person=person)
    return person


def member_erase_finish(*, person: ErasedPerson) -> bool:
    """Delete the person's login when no organization holds it any more (its sessions,
    two-step device, recovery codes and tokens go with it). True when it was deleted."""
    user = User.objects.filter(pk=person.user_id).first()
    if user is None or Membership.objects.filter(user=user).exists():
        return False
    email = user.email.lower()
    user.delete()
    transaction.on_commit(lambda: axes_reset(username=email))
    return True


@transaction.atomic
def organization_erasure_set(*, organization: Organization, erase_after_days: int) -> bool:
    """The organization's delay before the data of a person who left is erased (0: never
    automatically). True when it changed. (The caller checks `privacy.erase`.)"""
    days = max(0, min(int(erase_after_days), MAX_ERASE_AFTER_DAYS))
    if days == organization.erase_after_days:
        return False
    organization.erase_after_days = days
    organization.save(update_fields=["erase_after_days"])
    return True


def placeholder_user(*, person: ErasedPerson) -> User:
    """The pseudonymous account an erased membership now belongs to."""
    return User.objects.get(pk=person.placeholder_user_id)
