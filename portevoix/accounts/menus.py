"""The links of the app shell, as declared: each `Entry` with the actions that show it.

`navigation.py` turns them into one member's navigation; this module only lists them (the
"Me" menu, the groups by job, the phone's tab bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import can


@dataclass(frozen=True)
class Entry:
    """A link as declared: shown when the member may do any of `actions` (none: everyone)."""

    key: str
    label: str | Promise
    url_name: str
    actions: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    icon: str = ""
    help: str | Promise = ""  # a line under the link on the Me page
    # Shown only while its count (NAV_BADGE_PROVIDERS) is above zero.
    only_counted: bool = False

    def allowed(self, membership: Any) -> bool:
        return not self.actions or any(can(membership, action) for action in self.actions)

    def current(self, here: str) -> str:
        if not here:
            return ""
        if here == self.url_name:
            return "page"
        if any(here == s or (s.endswith(":") and here.startswith(s)) for s in self.section):
            return "true"
        return ""


# --- The member's personal links (the "Me" menu and page).
ME = (
    Entry(
        "profile",
        _("My ambassador profile"),
        "accounts:enrol",
        ("ambassador.enrol",),
        ("accounts:enrol_withdraw",),
        help=_("Join or leave the programme, your networks and interests"),
    ),
    Entry(
        "my_figures",
        _("My figures"),
        "analytics:me",
        ("analytics.view_own",),
        help=_("Your shares, clicks and reach"),
    ),
    Entry(
        "my_points",
        _("My points"),
        "recognition:me",
        ("share.create",),
        (
            "recognition:board",
            "recognition:badges",
            "recognition:challenges",
            "recognition:challenge",
        ),
        help=_("Your points, your rank and how the boards show you"),
    ),
    Entry(
        "accounts",
        _("Connected accounts"),
        "publishing:accounts",
        ("share.create",),
        ("publishing:connect_bluesky", "publishing:delegate", "publishing:connection_kind"),
        help=_("The social accounts Portevoix may post to for you"),
    ),
    Entry(
        "best_time",
        _("My best times"),
        "publishing:best_time",
        ("share.create",),
        ("publishing:time_zone",),
        help=_("When your posts are read most, and your time zone"),
    ),
    Entry(
        "charter",
        _("Charter"),
        "governance:charter",
        ("charter.acknowledge",),
        help=_("The rules of the programme, and your acceptance"),
    ),
    Entry(
        "notifications",
        _("Notifications"),
        "notifications:settings",
        section=("notifications:list",),
        help=_("What Portevoix may tell you, on this device or in the app, and when"),
    ),
    Entry(
        "signature",
        _("Email signature"),
        "notifications:signature",
        ("share.create",),
        help=_("Your email signature with the company's links, ready to paste"),
    ),
    Entry(
        "security",
        _("Security"),
        "accounts:security",
        section=(
            "accounts:security_setup",
            "accounts:security_disable",
            "accounts:security_recovery_codes",
        ),
        help=_("Two-step verification of your logins, and your recovery codes"),
    ),
    Entry(
        "my_data",
        _("My data"),
        "privacy:my_data",
        help=_("Everything Portevoix holds about you, and an archive to download"),
    ),
    Entry(
        "tokens",
        _("API tokens"),
        "accounts:tokens",
        ("token.manage_own",),
        help=_("Personal keys for the JSON API"),
    ),
)
MY_FIGURES, TOKENS = ME[1], ME[-1]

ME_PAGE = Entry(
    "me",
    _("Me"),
    "accounts:me",
    section=tuple(e.url_name for e in ME) + tuple(s for e in ME for s in e.section),
    icon="me",
)

# --- The groups, by job.
SHARE = (
    Entry(
        "feed",
        _("Feed"),
        "content:feed",
        ("feed.view",),
        ("sharing:share", "publishing:publish"),
        icon="feed",
    ),
    Entry(
        "my_shares",
        _("My shares"),
        "sharing:my_shares",
        ("share.create", "share.view_all"),
        ("sharing:confirm",),
    ),
    Entry(
        "my_posts",
        _("My posts"),
        "publishing:posts",
        ("share.create",),
        ("publishing:post_edit", "publishing:post_cancel", "publishing:post_retry"),
    ),
)
CONTENT = (
    Entry(
        "library",
        _("Library"),
        "content:library",
        ("content.view_library",),
        ("content:item", "content:item_new", "content:item_edit", "content:image_add"),
        icon="library",
    ),
    Entry(
        "approvals",
        _("Approvals"),
        "content:approvals",
        ("content.approve", "content.approve_final"),
        icon="approvals",
    ),
    Entry("calendar", _("Calendar"), "planning:calendar", ("calendar.view",), ("planning:",)),
    Entry(
        "topics",
        _("Topics and campaigns"),
        "content:topics",
        ("taxonomy.manage",),
        ("content:campaigns",),
    ),
    Entry(
        "moderation",
        _("Moderation"),
        "governance:queue",
        ("moderation.manage",),
        ("governance:case", "governance:case_decide"),
        icon="moderation",
    ),
    Entry(
        "listening",
        _("Listening"),
        "listening:inbox",
        ("listening.view",),
        (
            "listening:mention_status",
            "listening:mention_assign",
            "listening:monitors",
            "listening:monitor",
            "listening:feeds",
            "listening:feed",
            "listening:reddit",
            "listening:reddit_remove",
            "listening:alerts",
            "listening:alert_settings",
            "listening:summary",
            "listening:voice",
            "listening:benchmarks",
            "listening:benchmark",
            "listening:benchmark_delete",
        ),
    ),
    Entry(
        "curation",
        _("Curation"),
        "listening:curation",
        ("content.create",),
        ("listening:proposal_accept", "listening:proposal_dismiss"),
    ),
    Entry(
        "fairplay",
        _("Fair play"),
        "recognition:fairplay",
        ("recognition.fairplay",),
        ("recognition:flag_review", "recognition:fairplay_settings"),
    ),
    Entry(
        "guardrails",
        _("Guardrails"),
        "governance:rules",
        ("guardrails.manage",),
        ("governance:rule_new", "governance:rule_edit", "governance:rule_delete"),
    ),
    Entry("pause", _("Publishing pause"), "publishing:pause", ("publishing.pause",)),
    Entry("cadence", _("Posting rhythm"), "publishing:cadence", ("publishing.cadence",)),
)
PROGRAM = (
    Entry(
        "people",
        _("People"),
        "accounts:members",
        ("member.view",),
        ("accounts:member", "accounts:invite"),
    ),
    Entry("teams", _("Teams"), "accounts:teams", ("team.view",), ("accounts:team",)),
    Entry(
        "training",
        _("Training"),
        "training:index",
        ("training.take",),
        ("training:course", "training:lesson", "training:quiz"),
    ),
    Entry(
        "events",
        _("Events"),
        "training:events",
        ("event.register",),
        ("training:event", "training:event_attendance"),
    ),
    Entry("ideas", _("Idea box"), "ideas:list", ("idea.post",), ("ideas:",)),
    Entry("charter", _("Charter"), "governance:charter", ("charter.acknowledge",)),
    Entry(
        "charter_versions",
        _("Charter versions"),
        "governance:charter_manage",
        ("charter.manage",),
        ("governance:charter_new", "governance:charter_edit"),
    ),
    Entry(
        "acknowledgements",
        _("Charter acknowledgements"),
        "governance:acknowledgements",
        ("charter.view_acks",),
    ),
    Entry(
        "courses",
        _("Manage courses"),
        "training:manage",
        ("training.manage",),
        ("training:course_new", "training:manage_course", "training:lesson_new"),
    ),
    Entry(
        "training_reports",
        _("Training reports"),
        "training:report",
        ("training.view_reports",),
        ("training:report_course",),
    ),
    Entry(
        "rewards",
        _("Rewards"),
        "rewards:catalogue",
        ("rewards.redeem",),
        ("rewards:redeem", "rewards:mine", "rewards:cancel", "rewards:export"),
    ),
    Entry(
        "reward_requests",
        _("Reward requests"),
        "rewards:queue",
        ("rewards.fulfil",),
        ("rewards:decide",),
    ),
    Entry(
        "surveys",
        _("Surveys"),
        "surveys:mine",
        ("survey.answer",),
        ("surveys:answer", "surveys:thanks"),
        only_counted=True,
    ),
    Entry(
        "surveys_manage",
        _("Manage surveys"),
        "surveys:manage",
        ("survey.manage",),
        ("surveys:new", "surveys:edit", "surveys:results"),
    ),
)
ANALYTICS = Entry(
    "analytics", _("Analytics"), "analytics:dashboard", ("analytics.view_org",), icon="chart"
)
GOALS = Entry(
    "goals",
    _("Goals"),
    "analytics:goals",
    # The team's; an ambassador finds the goals shown to them on "My figures".
    ("analytics.view_org",),
    ("analytics:goal_new", "analytics:goal_edit"),
)
REPORTS = Entry(
    "reports",
    _("Reports"),
    "analytics:reports",
    ("analytics.view_org",),
    ("analytics:report", "analytics:report_schedules", "analytics:report_schedule"),
)
INSIGHTS = (
    ANALYTICS,
    GOALS,
    REPORTS,
    Entry("all_shares", _("All shares"), "sharing:org_shares", ("share.view_all",)),
    Entry("audit", _("Audit log"), "governance:audit", ("audit.view",)),
)
# Who has settings to manage (the hub opens for them; its nav link is the admins').
SETTINGS_HUB_ACTIONS = (
    "org.manage",
    "charter.manage",
    "guardrails.manage",
    "tracking.manage",
    "publishing.apps",
    "publishing.cadence",
    "publishing.pause",
    "audit.view",
    "chat.manage",
    "sso.manage",
    "scim.manage",
    "webhooks.manage",
    "assist.manage",
)
SETTINGS = (
    Entry("settings_hub", _("All settings"), "accounts:settings", ("org.manage",)),
    Entry("settings", _("Settings"), "accounts:org_settings", ("org.manage",)),
    Entry("tracking", _("Link tracking"), "sharing:tracking", ("tracking.manage",)),
    Entry("apps", _("Network apps"), "publishing:apps", ("publishing.apps",)),
    Entry("push_policy", _("Notification limits"), "notifications:policy", ("org.manage",)),
)
GROUPS = (
    ("share", _("Share"), SHARE),
    ("content", _("Content"), CONTENT),
    ("program", _("Program"), PROGRAM),
    ("insights", _("Insights"), INSIGHTS),
    ("settings", _("Settings"), SETTINGS),
)

# --- The phone's tab bar.
HOME = Entry("home", _("Home"), "home", icon="home")
LEARN = Entry(
    "learn",
    _("Learn"),
    "training:index",
    ("training.take",),
    ("training:",),
    icon="learn",
)
SHARES_TAB = Entry(
    "shares",
    _("My shares"),
    "sharing:my_shares",
    ("share.create",),
    (*SHARE[1].section, SHARE[2].url_name, *SHARE[2].section),
    icon="shares",
)
# Members who are not ambassadors: home, then what fits their role (two at most), then Me.
APPROVALS, MODERATION = CONTENT[1], CONTENT[4]
ROLE_TABS = (CONTENT[0], APPROVALS, MODERATION, ANALYTICS)
