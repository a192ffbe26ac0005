"""Roles are data: which role may do which action. `permissions.can()` reads this table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class Role:
    ADMIN = "admin"
    CONTENT_MANAGER = "content_manager"
    APPROVER = "approver"
    FINAL_APPROVER = "final_approver"
    COMMUNITY_MANAGER = "community_manager"
    ANALYST = "analyst"
    EXECUTIVE = "executive"
    ADVOCACY_BOARD = "advocacy_board"  # triages the idea box
    # Never assigned by anyone: a member becomes an ambassador only by opting in.
    AMBASSADOR = "ambassador"


ASSIGNABLE_ROLES = [
    (Role.ADMIN, _("Administrator")),
    (Role.CONTENT_MANAGER, _("Content manager")),
    (Role.APPROVER, _("Approver")),
    (Role.FINAL_APPROVER, _("Final approver")),
    (Role.COMMUNITY_MANAGER, _("Community manager")),
    (Role.ANALYST, _("Analyst")),
    (Role.EXECUTIVE, _("Executive")),
    (Role.ADVOCACY_BOARD, _("Advocacy board member")),
]
ALL_ROLES = [*ASSIGNABLE_ROLES, (Role.AMBASSADOR, _("Ambassador"))]
ROLE_LABELS = dict(ALL_ROLES)
ASSIGNABLE_ROLE_CODES = frozenset(code for code, _label in ASSIGNABLE_ROLES)

# Every member (any role, or none) may do these.
MEMBER_ACTIONS = frozenset(
    {
        "org.view",
        "ambassador.enrol",  # opt in / out of the programme, edit one's own profile
        "team.view",
        "member.view",
        "token.manage_own",
        "charter.acknowledge",  # read the charter and accept it
        "guardrails.check",  # check a text against the organization's guardrails
        "content.report",  # report a content item to the moderators
        "training.take",  # follow courses, take quizzes, get certificates
        "event.register",  # register for coaching sessions and events
        "event.coach",  # mark attendance, on the sessions one coaches only
        "publishing.delegate",  # let a named assistant prepare posts for one's own accounts
        "recognition.view",  # the boards, one's own points and how one appears on them
        "rewards.redeem",  # the rewards catalogue, one's own redemptions and export
        "idea.post",  # the idea box: read, post, vote and comment
        "survey.answer",  # answer the program surveys one is in the audience of
    }
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "calendar.view",  # the content calendar and its iCalendar feed
            "analytics.view_org",
            "goal.manage",  # set, change and archive the program's goals
            "analytics.settings",  # the EMV formula and the content mix target
            "report.manage",  # the reports' scheduled sending: when, to whom
            "org.manage",
            "org.export",  # download every table of the organization (an archive of it all)
            "org.delete",  # delete the organization and everything it holds, for good
            "member.invite",
            "member.manage",
            "team.manage",
            "content.view_library",
            "content.create",
            "content.edit",
            "content.submit",
            "content.archive",
            "content.view_history",
            "member.view_profiles",
            "taxonomy.manage",
            "charter.manage",
            "charter.view_acks",
            "guardrails.manage",
            "audit.view",
            "training.manage",
            "training.view_reports",
            "event.manage",
            "share.view_all",
            "share.remove",
            "tracking.manage",
            "publishing.apps",
            "publishing.pause",
            "publishing.cadence",
            "recognition.manage",
            "recognition.fairplay",  # review the fair-play flags
            "rewards.manage",  # the catalogue, the budget, approval and disclosure settings
            "rewards.fulfil",  # approve, fulfil or refuse redemptions
            "rewards.export_all",  # everyone's points, shares and redemptions (HR export)
            "recognition.challenges",  # the organization's own badges and the challenges
            "idea.triage",  # accept, merge or decline ideas of the idea box
            "survey.manage",  # write, launch and close program surveys; their results
            "chat.manage",  # the Slack and Teams channels and the organization's Slack app
            "sso.manage",  # single sign-on: the identity provider, its domains, enforcement
            "scim.manage",  # directory provisioning: its tokens, the brake, held deactivations
            "webhooks.manage",  # outgoing webhooks: endpoints, their secrets, delivery logs
            "privacy.erase",  # erase people who left; the delay of the automatic erasure
            "listening.view",  # the vigilance inbox: mentions of the monitors, their status
            "listening.manage",  # listening monitors, feeds and the mentions' retention
            "assist.manage",  # drafting assistance: the language model's address, model, key
        }
    ),
    Role.CONTENT_MANAGER: frozenset(
        {
            "calendar.view",  # the content calendar and its iCalendar feed
            "analytics.view_org",
            "content.view_library",
            "content.create",
            "content.edit",
            "content.submit",
            "content.archive",
            "content.view_history",
            "taxonomy.manage",
            "training.manage",
            "idea.triage",
        }
    ),
    Role.APPROVER: frozenset(
        {
            "calendar.view",  # the content calendar and its iCalendar feed
            "content.view_library",
            "content.approve",
            "content.request_changes",
            "content.view_history",
        }
    ),
    Role.FINAL_APPROVER: frozenset(
        {
            "calendar.view",  # the content calendar and its iCalendar feed
            "content.view_library",
            "content.approve",
            "content.approve_final",
            "content.request_changes",
            "content.view_history",
        }
    ),
    Role.COMMUNITY_MANAGER: frozenset(
        {
            "calendar.view",  # the content calendar and its iCalendar feed
            "analytics.view_org",
            "training.view_reports",
            "event.manage",
            "content.view_library",
            "content.archive",
            "content.view_history",
            "member.view_profiles",
            "share.view_all",
            "share.remove",
            "charter.view_acks",
            "guardrails.manage",
            "moderation.manage",
            "publishing.pause",
            "publishing.cadence",
            "recognition.fairplay",  # review the fair-play flags
            "rewards.fulfil",  # approve, fulfil or refuse redemptions
            "recognition.challenges",  # the organization's own badges and the challenges
            "chat.manage",  # the Slack and Teams channels and the organization's Slack app
            "listening.view",  # the vigilance inbox: mentions of the monitors, their status
            "listening.manage",  # listening monitors, feeds and the mentions' retention
        }
    ),
    Role.ANALYST: frozenset(
        {
            "rewards.export_all",  # everyone's points, shares and redemptions (HR export)
            "calendar.view",  # the content calendar and its iCalendar feed
            "analytics.view_org",
            "goal.manage",  # set, change and archive the program's goals
            "analytics.settings",  # the EMV formula and the content mix target
            "report.manage",  # the reports' scheduled sending: when, to whom
            "content.view_library",
            "member.view_profiles",
            "share.view_all",
            "training.view_reports",
        }
    ),
    Role.EXECUTIVE: frozenset({"content.view_library", "analytics.view_org", "calendar.view"}),
    Role.ADVOCACY_BOARD: frozenset({"idea.triage"}),
    Role.AMBASSADOR: frozenset({"feed.view", "share.create", "analytics.view_own"}),
}

ALL_ACTIONS = frozenset(MEMBER_ACTIONS.union(*ROLE_ACTIONS.values()))
