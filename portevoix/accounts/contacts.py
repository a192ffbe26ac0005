"""Who to reach and in which language: the members and organizations that emails, Slack and
Teams address (read by notifications through `accounts.selectors`, which re-exports these)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portevoix.core.tenancy import scoped

from .models import AmbassadorProfile, Membership, Organization


def organization_language(*, organization_id: int) -> str:
    """The organization's default language ("en" when it is gone)."""
    return organization_mail_facts(organization_id)[1]


def active_member_by_email(*, organization_id: int, email: str) -> Membership | None:
    """The organization's active member whose account has this email (case-insensitive),
    with their user; None for an unknown address or an empty one."""
    email = email.strip()
    if not email:
        return None
    return (
        scoped(Membership, organization_id)
        .filter(is_active=True, user__email__iexact=email)
        .select_related("user", "organization")
        .first()
    )


def ambassador_mail_rows(
    *, organization_id: int, after_id: int = 0, limit: int = 500, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """Active, opted-in ambassadors by id after `after_id` (at most `limit`; only `ids` if
    given), one query: `membership_id`, `email`, `name`, `language`, `languages` (feed's)."""
    # From the memberships (a range of their primary key: a batch reads its 500 rows only).
    qs = scoped(Membership, organization_id).filter(
        is_active=True, ambassador__opted_in=True, pk__gt=after_id
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    user = ("user__email", "user__full_name", "user__language")
    rows = qs.order_by("pk").values_list("pk", *user, "ambassador__languages")
    org_language = organization_mail_facts(organization_id)[1]
    return [
        {
            "membership_id": pk,
            "email": email,
            "name": name or "",
            "language": language or org_language,
            "languages": list(languages or ["fr", "en"]),
        }
        for pk, email, name, language, languages in rows[:limit]
    ]


def organization_mail_facts(organization_id: int) -> tuple[str, str]:
    """(name, default language) of an organization, for its emails."""
    found = Organization.objects.filter(pk=organization_id).values_list("name", "default_language")
    return next(((name, language or "en") for name, language in found), ("", "en"))


def organizations_with_ambassadors() -> list[int]:
    """Ids of the organizations with at least one active, opted-in ambassador."""
    rows = AmbassadorProfile.objects.filter(opted_in=True, membership__is_active=True)
    return sorted(set(rows.values_list("membership__organization_id", flat=True).distinct()))
