"""Reads of how people appear to others: by name, under a pseudonym, or not at all.

One choice per person (`AmbassadorProfile.visibility`, blank: the organization's
`default_visibility`), read by every app that names people (analytics' top ambassadors and
tables, recognition's boards, exports and API). Other apps reach these through
`accounts.selectors`, which re-exports them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from portevoix.core.tenancy import scoped

from .models import AmbassadorProfile, Membership, Organization, Visibility

if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_VISIBILITY = Visibility.PSEUDONYM


@dataclass(frozen=True)
class PublicName:
    """How one person appears to others: `name` is their name or their pseudonym, empty
    when they chose not to appear (then `hidden`)."""

    name: str
    visibility: str

    @property
    def hidden(self) -> bool:
        return self.visibility == Visibility.HIDDEN

    @property
    def pseudonymous(self) -> bool:
        return self.visibility == Visibility.PSEUDONYM


@dataclass(frozen=True)
class VisibilityChoice:
    """A person's own choice as their settings page shows it."""

    visibility: str  # what applies: their choice, else the organization's default
    pseudonym: str
    chosen: bool  # False: the organization's default applies


def default_visibility(organization_id: int) -> str:
    """How the organization's members appear until they choose (one query)."""
    found = (
        Organization.objects.filter(pk=organization_id)
        .values_list("default_visibility", flat=True)
        .first()
    )
    return found or DEFAULT_VISIBILITY


def visibility_choice(*, membership: Membership) -> VisibilityChoice:
    """The member's choice and what applies to them (one query)."""
    row = (
        scoped(Membership, membership.organization_id)
        .filter(pk=membership.pk)
        .values_list(
            "ambassador__visibility", "ambassador__pseudonym", "organization__default_visibility"
        )
        .first()
    )
    chosen, pseudonym, default = row if row is not None else ("", "", DEFAULT_VISIBILITY)
    return VisibilityChoice(
        visibility=chosen or default or DEFAULT_VISIBILITY,
        pseudonym=pseudonym or "",
        chosen=bool(chosen),
    )


def made_up_pseudonym(membership_id: int) -> str:
    """A stable pseudonym for someone who did not write one (nothing links it to them
    without the secret key)."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:pseudonym:{membership_id}".encode())
    return _("Ambassador %(code)s") % {"code": digest.hexdigest()[:4].upper()}


def public_name_of(member: Membership, default: str) -> PublicName:
    """How `member` appears, from the member with `user` and `ambassador` already loaded
    (`select_related("user", "ambassador")`): no query. `default` is the organization's."""
    profile = getattr(member, "ambassador", None)
    visibility = (profile.visibility if profile is not None else "") or default
    if visibility == Visibility.NAME:
        return PublicName(name=member.user.display_name, visibility=visibility)
    if visibility == Visibility.PSEUDONYM:
        written = profile.pseudonym if profile is not None else ""
        return PublicName(name=written or made_up_pseudonym(member.pk), visibility=visibility)
    return PublicName(name="", visibility=Visibility.HIDDEN)


def visible_q(*, default: str, path: str = "membership") -> Q:
    """A filter keeping the rows whose member (reached by `path` from the filtered model,
    "" for `Membership` itself) did not choose "not at all", `default` (the organization's,
    from `default_visibility`) applying to those who did not choose. A plain join on the
    profile, for one query."""
    prefix = f"{path}__" if path else ""
    field = f"{prefix}ambassador__visibility"
    if default == Visibility.HIDDEN:
        return Q(**{f"{field}__in": [Visibility.NAME, Visibility.PSEUDONYM]})
    return ~Q(**{field: Visibility.HIDDEN})


def shown_q(*, organization_id: int, path: str = "membership") -> Q:
    """`visible_q` with the organization's default (one small query to read it)."""
    return visible_q(default=default_visibility(organization_id), path=path)


def hidden_member_ids(*, organization_id: int) -> QuerySet[Membership, Any]:
    """The organization's memberships that appear nowhere to others, as a
    `values("pk")` queryset: a subquery (`membership_id__in=...`), or rows."""
    undecided = Q(ambassador__isnull=True) | Q(ambassador__visibility="")
    return (
        scoped(Membership, organization_id)
        .filter(
            Q(ambassador__visibility=Visibility.HIDDEN)
            | (undecided & Q(organization__default_visibility=Visibility.HIDDEN))
        )
        .order_by()
        .values("pk")
    )


def public_name_from(
    membership_id: int, full_name: str, email: str, chosen: str, pseudonym: str, default: str
) -> PublicName:
    """`public_name_of` from plain values (a `values_list` row: no model instance)."""
    visibility = chosen or default or DEFAULT_VISIBILITY
    if visibility == Visibility.NAME:
        return PublicName(name=full_name or email, visibility=visibility)
    if visibility == Visibility.PSEUDONYM:
        return PublicName(name=pseudonym or made_up_pseudonym(membership_id), visibility=visibility)
    return PublicName(name="", visibility=Visibility.HIDDEN)


def unlisted_member_ids(*, organization_id: int, hidden: bool = True) -> QuerySet[Any, Any]:
    """The organization's members that no board lists whatever the organization's default:
    the inactive, those who withdrew from the programme and (`hidden`) those who chose "not
    at all", as a UNION of `values_list` querysets (a subquery: `membership_id__in=...`).
    Each part is a small set read by its own partial index, never a scan of every member;
    those who did not choose and fall under a "hidden" default are not in it (the caller
    reads the default)."""
    inactive = (
        scoped(Membership, organization_id).filter(is_active=False).order_by().values_list("pk")
    )
    profiles = AmbassadorProfile.objects.filter(membership__organization_id=organization_id)
    withdrawn = (
        profiles.filter(opted_in=False, opted_out_at__isnull=False)
        .order_by()
        .values_list("membership_id")
    )
    parts = [withdrawn]
    if hidden:
        parts.append(
            profiles.filter(visibility=Visibility.HIDDEN).order_by().values_list("membership_id")
        )
    return inactive.union(*parts)


def unlisted_among(*, organization_id: int, membership_ids: Iterable[int]) -> set[int]:
    """Those of `membership_ids` that no board lists whatever the organization's default
    (the rule of `unlisted_member_ids`: inactive, withdrawn, "not at all" by choice). One
    query by primary key; none for no id."""
    ids = set(membership_ids)
    if not ids:
        return set()
    unlisted = (
        Q(is_active=False)
        | Q(ambassador__opted_in=False, ambassador__opted_out_at__isnull=False)
        | Q(ambassador__visibility=Visibility.HIDDEN)
    )
    return set(
        scoped(Membership, organization_id)
        .filter(unlisted, pk__in=ids)
        .values_list("pk", flat=True)
    )


def inactive_member_ids(*, organization_id: int) -> set[int]:
    """The organization's inactive members (a small set, by its partial index)."""
    return set(
        scoped(Membership, organization_id).filter(is_active=False).values_list("pk", flat=True)
    )


def public_names(*, organization_id: int, membership_ids: Iterable[int]) -> dict[int, PublicName]:
    """{membership id: how they appear} for the organization's memberships among
    `membership_ids` (active or not): their name, their pseudonym (written, else made
    up), or nothing when hidden. One query; none for no id."""
    ids = set(membership_ids)
    if not ids:
        return {}
    rows = (
        scoped(Membership, organization_id)
        .filter(pk__in=ids)
        .values_list(
            "pk",
            "user__full_name",
            "user__email",
            "ambassador__visibility",
            "ambassador__pseudonym",
            "organization__default_visibility",
        )
    )
    names: dict[int, PublicName] = {}
    for pk, full_name, email, chosen, pseudonym, default in rows:
        visibility = chosen or default or DEFAULT_VISIBILITY
        if visibility == Visibility.NAME:
            name = full_name or email
        elif visibility == Visibility.PSEUDONYM:
            name = pseudonym or made_up_pseudonym(pk)
        else:
            name = ""
        names[pk] = PublicName(name=name, visibility=visibility)
    return names


__all__ = [
    "PublicName",
    "Visibility",
    "VisibilityChoice",
    "default_visibility",
    "hidden_member_ids",
    "inactive_member_ids",
    "made_up_pseudonym",
    "public_name_from",
    "public_name_of",
    "public_names",
    "shown_q",
    "unlisted_member_ids",
    "visibility_choice",
    "visible_q",
]
