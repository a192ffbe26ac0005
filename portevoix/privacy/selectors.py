"""The reads of "My data": the summary of what Portevoix holds about the member, and their
latest archive (only their own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts import selectors_my_data as account_data
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from . import archive, register
from .models import DataExport, ExportState, OrganizationExport

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@dataclass(frozen=True)
class Line:
    """One category of the summary: its name, how many rows, and a plain-language detail."""

    key: str
    label: str
    count: int
    detail: str


def _join(values: list[str]) -> str:
    return ", ".join(v for v in values if v)


def _networks(rows: list[dict[str, Any]]) -> str:
    return _join([str(Network.LABELS.get(row["network"], row["network"])) for row in rows])


def _lines(data: dict[str, archive.Tables]) -> list[Line]:
    acc, shr, pub = data["accounts"], data["sharing"], data["publishing"]
    rec, ide, sur = data["recognition"], data["ideas"], data["surveys"]
    account = acc["account"][0]
    profile = acc["ambassador_profile"][0] if acc["ambassador_profile"] else None
    clicks = sum(int(row["clicks"]) for row in shr["tracked_links"])
    states: dict[str, int] = {}
    for post in pub["posts"]:
        states[post["state_label"]] = states.get(post["state_label"], 0) + 1
    points = sum(int(row["points"]) for row in rec["points"])
    prefs = data["notifications"]["notification_settings"][0]
    tokens = acc["api_tokens"]
    if profile is None:
        ambassador = _("You never joined the ambassador programme.")
    elif profile["opted_in"]:
        ambassador = _("You are an ambassador.")
    else:
        ambassador = _("You left the ambassador programme.")
    rows = [
        ("account", _("Your profile"), 1, _join([account["full_name"], account["email"]])),
        ("ambassador_profile", _("Ambassador choices"), len(acc["ambassador_profile"]), ambassador),
        ("consents", _("Consents"), len(acc["consents"]), ""),
        (
            "network_presences",
            _("Network presences"),
            len(acc["network_presences"]),
            _networks(acc["network_presences"]),
        ),
        (
            "connected_accounts",
            _("Connected accounts"),
            len(pub["connected_accounts"]),
            _networks(pub["connected_accounts"]),
        ),
        ("shares", _("Shares"), len(shr["shares"]), ""),
        (
            "tracked_links",
            _("Tracked links"),
            len(shr["tracked_links"]),
            ngettext("%(n)s click counted", "%(n)s clicks counted", clicks) % {"n": clicks},
        ),
        (
            "posts",
            _("Posts"),
            len(pub["posts"]),
            _join([f"{label}: {n}" for label, n in sorted(states.items())]),
        ),
        (
            "points",
            _("Points"),
            len(rec["points"]),
            ngettext("%(n)s point in all", "%(n)s points in all", points) % {"n": points},
        ),
        ("badges", _("Badges"), len(rec["badges"]), _join([b["badge"] for b in rec["badges"]])),
        ("reward_requests", _("Reward requests"), len(data["rewards"]["reward_requests"]), ""),
        (
            "ideas",
            _("Idea box"),
            len(ide["ideas"]),
            _("%(votes)s votes, %(comments)s comments")
            % {"votes": len(ide["idea_votes"]), "comments": len(ide["idea_comments"])},
        ),
        (
            "survey_participations",
            _("Surveys answered"),
            len(sur["survey_participations"]),
            _("Answers to anonymous surveys are linked to nobody: they are not part of your data."),
        ),
        (
            "survey_answers",
            _("Answers to surveys that were not anonymous"),
            len(sur["survey_answers"]),
            "",
        ),
        (
            "certificates",
            _("Course certificates"),
            len(data["training"]["certificates"]),
            _join([c["course"] for c in data["training"]["certificates"]]),
        ),
        (
            "notification_settings",
            _("Notification settings"),
            1,
            ngettext(
                "%(n)s device receives push notifications",
                "%(n)s devices receive push notifications",
                prefs["push_subscriptions"],
            )
            % {"n": prefs["push_subscriptions"]},
        ),
        ("notifications", _("Notifications"), len(data["notifications"]["notifications"]), ""),
        ("api_tokens", _("API tokens"), len(tokens), _join([t["name"] for t in tokens])),
    ]
    return [Line(key, label, count, detail) for key, label, count, detail in rows]


def summary(*, membership: Membership) -> list[Line]:
    """What Portevoix holds about the member in this organization, category by category."""
    return _lines(archive.collect(membership))


def latest_export(*, membership: Membership) -> DataExport | None:
    """The member's latest archive request that still means something to them (being
    prepared, ready and not expired, or failed), else None."""
    export = (
        scoped(DataExport, membership.organization_id)
        .filter(membership=membership)
        .exclude(state=ExportState.EXPIRED)
        .order_by("-requested_at")
        .first()
    )
    expired = not export or not export.expires_at or export.expires_at <= clock.now()
    if export and export.state == ExportState.READY and expired:
        return None
    return export


def register_rows(*, membership: Membership) -> list[dict[str, Any]]:
    """The processing register, for the organization's administrators (`org.manage`)."""
    require(membership, "org.manage")
    return register.rows()


def organization_exports(*, membership: Membership) -> list[OrganizationExport]:
    """The organization's archives of the last weeks, newest first (`org.export`)."""
    require(membership, "org.export")
    return list(
        scoped(OrganizationExport, membership.organization_id)
        .select_related("requested_by__user")
        .order_by("-requested_at")[:10]
    )


def can_delete_organization(*, membership: Membership) -> bool:
    return can(membership, "org.delete")


def leavers(*, membership: Membership) -> list[account_data.Leaver]:
    """The people who left and are not erased yet, for the administrators (`privacy.erase`)."""
    require(membership, "privacy.erase")
    return account_data.leavers(organization=membership.organization)


def leaver(*, membership: Membership, membership_id: int) -> account_data.Leaver:
    """One of them (`privacy.erase`; anyone else, someone active or already erased: NotFound)."""
    require(membership, "privacy.erase")
    for person in account_data.leavers(organization=membership.organization):
        if person.membership_id == membership_id:
            return person
    raise NotFound(_("Not found."))
