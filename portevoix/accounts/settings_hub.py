"""The settings hub (`/settings/`): every organization setting, in sections, each link shown
only where its page opens for the member (`navigation.Entry` does the checking)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .menus import SETTINGS_HUB_ACTIONS
from .navigation import Entry, Link, _links
from .permissions import can


def _hub(
    label: str | Promise, url_name: str, actions: tuple[str, ...], help: str | Promise
) -> Entry:
    return Entry(url_name, label, url_name, actions, help=help)


SETTINGS_HUB: tuple[tuple[str | Promise, tuple[Entry, ...]], ...] = (
    (
        _("Organization"),
        (
            _hub(
                _("Organization"),
                "accounts:org_settings",
                ("org.manage",),
                _("Name, languages, approvals needed before content goes live"),
            ),
            _hub(
                _("Notification limits"),
                "notifications:policy",
                ("org.manage",),
                _("How many push notifications a member may get a day"),
            ),
            _hub(
                _("Rewards"),
                "rewards:manage",
                ("rewards.manage",),
                _("The rewards catalogue, the monthly budget, approvals, incentive disclosure"),
            ),
        ),
    ),
    (
        _("People and teams"),
        (
            _hub(
                _("People"), "accounts:members", ("member.view",), _("Members, roles, invitations")
            ),
            _hub(_("Teams"), "accounts:teams", ("team.view",), _("Departments and sites")),
            _hub(
                _("Single sign-on"),
                "sso:settings",
                ("sso.manage",),
                _("Log in with the organization's identity provider (OpenID Connect or SAML 2.0)"),
            ),
            _hub(
                _("Directory provisioning"),
                "scim:settings",
                ("scim.manage",),
                _("SCIM tokens for your identity provider, the safety brake on deactivations"),
            ),
        ),
    ),
    (
        _("Charter and guardrails"),
        (
            _hub(
                _("Charter versions"),
                "governance:charter_manage",
                ("charter.manage",),
                _("Write and publish the social media charter"),
            ),
            _hub(
                _("Guardrails"),
                "governance:rules",
                ("guardrails.manage",),
                _("Blocked terms, words to avoid, competitors, link domains, disclosures"),
            ),
        ),
    ),
    (
        _("Tracking and networks"),
        (
            _hub(
                _("Link tracking"),
                "sharing:tracking",
                ("tracking.manage",),
                _("UTM parameters, conversions and their window"),
            ),
            _hub(
                _("Network apps"),
                "publishing:apps",
                ("publishing.apps",),
                _("The organization's own apps on LinkedIn, X, Threads and Facebook"),
            ),
            _hub(
                _("Posting rhythm"),
                "publishing:cadence",
                ("publishing.cadence",),
                _("At most N posts a day per network, minutes between posts"),
            ),
            _hub(
                _("Slack and Teams"),
                "notifications:chat",
                ("chat.manage",),
                _("Channels that receive new content, goals and challenges; the Slack app"),
            ),
            _hub(
                _("Webhooks"),
                "webhooks:endpoints",
                ("webhooks.manage",),
                _("Signed messages to your other tools when something happens here"),
            ),
            _hub(
                _("Drafting assistance"),
                "assist:settings",
                ("assist.manage",),
                _("A language model of your choice drafts copies; off until you turn it on"),
            ),
            _hub(
                _("Email signatures"),
                "notifications:signature_settings",
                ("org.manage",),
                _("The social links and the banner of every ambassador's email signature"),
            ),
        ),
    ),
    (
        _("Safety and records"),
        (
            _hub(
                _("Publishing pause"),
                "publishing:pause",
                ("publishing.pause",),
                _("Stop all publishing in one action during a crisis"),
            ),
            _hub(_("Audit log"), "governance:audit", ("audit.view",), _("Who did what, and when")),
            _hub(
                _("Processing register"),
                "privacy:register",
                ("org.manage",),
                _("What Portevoix stores about people, why, and for how long"),
            ),
            _hub(
                _("The organization's data"),
                "privacy:organization_data",
                ("org.export",),
                _("Download every table, or delete the organization for good"),
            ),
            _hub(
                _("Erasure"),
                "privacy:erasure",
                ("privacy.erase",),
                _("Erase the data of people who left, by hand or after a delay"),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class HubSection:
    label: str | Promise
    links: tuple[Link, ...]


def settings_hub_for(membership: Any) -> list[HubSection]:
    """The settings hub's sections for a membership: only the links it may open, and only
    the sections with a link; nothing for a member with no setting to manage."""
    if not any(can(membership, action) for action in SETTINGS_HUB_ACTIONS):
        return []
    sections = []
    for label, entries in SETTINGS_HUB:
        links = tuple(_links(membership, entries, ""))
        if links:
            sections.append(HubSection(label, links))
    return sections
