"""The processing register (`/settings/privacy/register/`): what Portevoix stores about
people, why, on which legal basis, for how long and who sees it. Written from the models
(read them again when one changes); shown in the reader's language, French or English.

Legal bases are the ones the programme itself implies (voluntary enrolment: consent for
what an ambassador chooses to do; the employer's legitimate interest for running the
platform and its security); the organization remains the controller and may adapt them.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portevoix.core.spreadsheet import Sheet, csv_bytes

CONSENT = _("Consent (voluntary enrolment, withdrawn at any time)")
INTEREST = _("Legitimate interest of the organization (running the programme)")
SECURITY = _("Legitimate interest (security and accountability)")
# Erasure (docs/decisions/0022-erasure.md): on the person's request, by an administrator,
# or automatically N days after the person left (the organization's setting).
UNTIL_ERASED = _(
    "Until erasure (on request, or N days after the person left: the organization's "
    "setting, 30 by default), then deleted"
)
KEPT_PSEUDONYMOUS = _(
    "Until erasure (on request, or N days after the person left), then kept under a "
    "pseudonym so that the figures stay right; free texts deleted"
)

# (category, what is stored, purpose, legal basis, retention, who can see it)
ENTRIES: list[tuple[Promise, Promise, Promise, Promise, Promise, Promise]] = [
    (
        _("Account"),
        _(
            "Email address, full name, language, time zone, password hash, job title, teams, "
            "roles, date joined; two-step verification secret (encrypted) and recovery codes "
            "(hashed)"
        ),
        _("Logging in, addressing the person, permissions"),
        INTEREST,
        _(
            "Until erasure (on request, or N days after the person left): name, email, title, "
            "roles and secrets deleted; the login is deleted when no other organization uses "
            "it; the membership stays under a pseudonym (“Former member #…”)"
        ),
        _("The person; administrators; members see names and titles"),
    ),
    (
        _("Ambassador profile and consents"),
        _(
            "Opt-in and withdrawal dates, interests, languages, how they want to help, how "
            "others see them (visibility, pseudonym), declared networks with handle and "
            "audience"
        ),
        _("Voluntary enrolment; choosing content; potential reach"),
        CONSENT,
        _(
            "Until erasure (on request, or N days after the person left), then deleted with "
            "the consent history (the audit log keeps the fact of the erasure)"
        ),
        _("The person; administrators and people managers (within the visibility chosen)"),
    ),
    (
        _("Connected social accounts"),
        _(
            "Network, account id, handle, display name, profile address; access tokens "
            "encrypted at rest"
        ),
        _("Publishing on the person's behalf when they ask, follower counts"),
        CONSENT,
        _(
            "Until the person disconnects the account or is erased (the network is asked to "
            "revoke the tokens)"
        ),
        _("The person (tokens: nobody, only the publishing engine)"),
    ),
    (
        _("Shares, posts and tracked links"),
        _(
            "What was shared, where and when, the text, the post's status, the person's own "
            "short links"
        ),
        _("Sharing in a few clicks; measuring the programme"),
        CONSENT,
        KEPT_PSEUDONYMOUS,
        _("The person; analysts, community managers and administrators"),
    ),
    (
        _("Clicks and conversions"),
        _(
            "Time, network, country, referrer network, and a visitor hash salted with a key "
            "that changes every day; never an IP address"
        ),
        _("Counting clicks and leads per link without tracking visitors"),
        INTEREST,
        _("With the tracked link, which stays after erasure (no personal data)"),
        _("Counts only: the person and the analysts"),
    ),
    (
        _("Points, badges and rewards"),
        _("The points ledger, badges earned, reward requests and their decisions"),
        _("Recognition and incentives"),
        CONSENT,
        KEPT_PSEUDONYMOUS,
        _("The person; boards show them as they chose; reward managers"),
    ),
    (
        _("Idea box"),
        _("Ideas, votes, comments and decisions"),
        _("Bottom-up suggestions and their triage"),
        CONSENT,
        _(
            "Until erasure (on request, or N days after the person left): titles, texts, "
            "pictures and comments deleted; ideas and votes stay under a pseudonym"
        ),
        _("Members of the organization; triage by the advocacy board and managers"),
    ),
    (
        _("Surveys"),
        _(
            "Who took part (the day only); answers linked to the person only for surveys that "
            "are not anonymous; anonymous answers are linked to nobody"
        ),
        _("Programme feedback"),
        CONSENT,
        _(
            "With the survey; on erasure, free-text answers to surveys that are not anonymous "
            "are deleted"
        ),
        _("Survey managers see results; anonymous answers only in groups of five or more"),
    ),
    (
        _("Training"),
        _("Enrolments, lessons completed, quiz attempts, certificates, event registrations"),
        _("Training and certification before sharing"),
        INTEREST,
        KEPT_PSEUDONYMOUS,
        _("The person; training managers; a certificate's public page to whoever has its address"),
    ),
    (
        _("Notifications and emails"),
        _(
            "Notification and email settings, in-app notifications, push subscriptions "
            "(encrypted endpoint and keys, browser family), email deliveries"
        ),
        _("Telling the person what concerns them, as they chose"),
        CONSENT,
        UNTIL_ERASED,
        _("The person"),
    ),
    (
        _("API tokens"),
        _("Name, first characters, dates; the token itself only as a hash"),
        _("Scripts acting as the person"),
        INTEREST,
        _("Until revoked, or until erasure"),
        _("The person"),
    ),
    (
        _("Audit log"),
        _(
            "Who did what and when, with the object before and after (no archive content, no "
            "secret)"
        ),
        _("Accountability of changes and sensitive actions"),
        SECURITY,
        _(
            "Kept with the organization; entries cannot be deleted; on erasure the person's "
            "name, email and words in them are replaced by the pseudonym, and one entry "
            "records the erasure (who asked, when), without data"
        ),
        _("Administrators"),
    ),
    (
        _("Archives of one's own data"),
        _("A zip file with the person's data, prepared at their request"),
        _("The right of access and to data portability"),
        _("Legal obligation (right of access)"),
        _("Deleted when its link expires (PRIVACY_EXPORT_DAYS, 7 days by default), or on erasure"),
        _("The person only"),
    ),
]

HEADERS = (
    _("Category"),
    _("What is stored"),
    _("Purpose"),
    _("Legal basis"),
    _("Retention"),
    _("Who can see it"),
)
KEYS = ("category", "data", "purpose", "basis", "retention", "audience")


def rows() -> list[dict[str, Any]]:
    """The register's rows in the active language."""
    return [dict(zip(KEYS, (str(v) for v in entry), strict=True)) for entry in ENTRIES]


def csv_file() -> bytes:
    """The register as CSV (active language), formulas neutralised."""
    return csv_bytes(
        Sheet("register", [str(h) for h in HEADERS], ([r[k] for k in KEYS] for r in rows()))
    )
