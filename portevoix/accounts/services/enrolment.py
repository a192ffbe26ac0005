"""Voluntary ambassador enrolment: opt in, update the profile, opt out."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from .. import selectors, signals
from ..models import (
    AmbassadorProfile,
    ConsentEvent,
    Membership,
    NetworkPresence,
)
from ..permissions import forget_roles, require

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


def _validate_enrolment(membership: Membership, data: EnrolmentData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.languages or any(lang not in {"fr", "en"} for lang in data.languages):
        errors["languages"] = [_("Choose at least one language: French or English.")]
    helps = dict(AmbassadorProfile.HELP_CHOICES)
    if not data.help_with or any(h not in helps for h in data.help_with):
        errors["help_with"] = [_("Choose how you want to help.")]
    if data.topic_ids:
        topics = scoped(selectors.interest_model(), membership.organization)
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
        organization_id, membership_id = membership.organization_id, membership.pk
        transaction.on_commit(
            lambda: signals.ambassador_withdrew.send(
                sender=AmbassadorProfile,
                organization_id=organization_id,
                membership_id=membership_id,
            )
        )
    membership.ambassador = profile  # keep the cached relation in step with the database
    forget_roles(membership)
