"""The app shell's navigation for one membership: groups by job, the phone's tab bar, "Me".

`navigation_for(membership, here)` answers plain data that `base.html` only shows: which
groups (Share, Content, Program, Insights, Settings) and links the member's role allows, the
tabs of the phone's bottom bar, and the member's personal links (the "Me" menu and page).
Every link is checked with `permissions.can`, so a link is shown only where its page opens.

`here` is the current view name (`request.resolver_match.view_name`). A link is the current
page (`aria-current="page"`) on its own view, and the current section (`aria-current="true"`)
on the views listed in its `section` (an entry ending in ":" stands for a whole app).

A link may carry a count: `settings.NAV_BADGE_PROVIDERS` maps a url name to a function of the
membership returning a `core.context_processors.NavBadge`, called only for shown links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portevoix.core.context_processors import NavBadge, nav_badge

from . import frame
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


@dataclass(frozen=True)
class Link:
    key: str
    label: str | Promise
    url: str
    current: str = ""  # "page", "true" (in its section) or ""
    icon: str = ""
    help: str | Promise = ""
    badge: NavBadge | None = None  # a count shown after the label when above zero

    @property
    def anchor(self) -> SafeString:
        """The link as the menus show it (built here, not by a template include per link:
        the menus hold some forty links a page)."""
        label = self.label_html
        if self.current:
            return format_html(
                '<a href="{}" aria-current="{}">{}</a>', self.url, self.current, label
            )
        return format_html('<a href="{}">{}</a>', self.url, label)

    @property
    def label_html(self) -> Any:
        """The label, then the count when there is one (`NavBadge.labelled`)."""
        return self.badge.labelled(self.label) if self.badge else self.label


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    links: tuple[Link, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def count(self) -> int:
        return sum(link.badge.count for link in self.links if link.badge)


@dataclass(frozen=True)
class Navigation:
    groups: tuple[Group, ...] = ()
    tabs: tuple[Link, ...] = ()
    me: tuple[Link, ...] = ()
    me_current: str = ""  # on the Me page ("page") or one of its links ("true")
    home_current: str = ""  # on the home page ("page")

    @cached_property
    def fingerprint(self) -> str:
        """Everything the menus and the tab bar show, as one string (in the active
        language): the key of the shell's cached HTML (core's `shell_fragment`)."""

        def links(found: Iterable[Link]) -> list[tuple[Any, ...]]:
            return [
                (
                    link.key,
                    str(link.label),
                    link.url,
                    link.current,
                    link.icon,
                    (link.badge.count, str(link.badge.label)) if link.badge else None,
                )
                for link in found
            ]

        return repr(
            (
                [(group.key, str(group.label), links(group.links)) for group in self.groups],
                links(self.tabs),
                links(self.me),
                self.me_current,
                self.home_current,
            )
        )

    def outline(self) -> dict[str, list[str]]:
        """{group key: [link keys]}, plus "tabs" and "me": what is shown, in order."""
        shown = {group.key: [link.key for link in group.links] for group in self.groups}
        shown["tabs"] = [link.key for link in self.tabs]
        shown["me"] = [link.key for link in self.me]
        return shown


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
    ("analytics.view_org", "analytics.view_own"),
    ("analytics:goal_new", "analytics:goal_edit"),
)
INSIGHTS = (
    ANALYTICS,
    GOALS,
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


@lru_cache(maxsize=512)
def _reverse(url_name: str, urlconf: Any, root_urlconf: str, prefix: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def _url(url_name: str) -> str:
    """`reverse(url_name)` (no arguments), once per process, URL configuration and prefix:
    the menus hold some forty links a page."""
    return _reverse(url_name, get_urlconf(), settings.ROOT_URLCONF, get_script_prefix())


def _badge(entry: Entry, membership: Any) -> NavBadge | None:
    """The link's count, kept in the member's page frame (accounts/frame.py: the apps that
    count move its versions)."""
    name = f"badge:{entry.url_name}:{get_language()}"
    return frame.cached(membership, name, lambda: nav_badge(entry.url_name, membership))


def _link(entry: Entry, here: str, membership: Any = None) -> Link:
    return Link(
        key=entry.key,
        label=entry.label,
        url=_url(entry.url_name),
        current=entry.current(here),
        icon=entry.icon,
        help=entry.help,
        badge=_badge(entry, membership) if membership is not None else None,
    )


def _links(membership: Any, entries: Iterable[Entry], here: str) -> list[Link]:
    links = [
        (entry, _link(entry, here, membership)) for entry in entries if entry.allowed(membership)
    ]
    return [
        link
        for entry, link in links
        if not entry.only_counted or (link.badge is not None and link.badge.count > 0)
    ]


def _groups(membership: Any, here: str) -> list[Group]:
    groups = []
    for key, label, entries in GROUPS:
        links = _links(membership, entries, here)
        if key == "insights" and not can(membership, "analytics.view_org"):
            # An ambassador's insights are their own figures.
            links[:0] = _links(membership, [MY_FIGURES], here)
        if key == "settings" and links:
            # Personal API tokens sit among the settings only for those who have settings;
            # everyone else finds them under "Me".
            links.append(_link(TOKENS, here))
        if links:
            groups.append(Group(key=key, label=label, links=tuple(links)))
    return groups


def _tabs(membership: Any, here: str) -> list[Link]:
    if can(membership, "feed.view"):
        entries = [SHARE[0], SHARES_TAB, LEARN]
    else:
        role_tabs = [entry for entry in ROLE_TABS if entry.allowed(membership)][:2]
        entries = [HOME, *(role_tabs or [LEARN])]
    return _links(membership, [*entries, ME_PAGE], here)


def navigation_for(membership: Any, here: str = "") -> Navigation:
    """The navigation of an active membership (nothing for no membership or an inactive one)."""
    if membership is None or not getattr(membership, "is_active", False):
        return Navigation()
    groups = _groups(membership, here)
    me = _links(membership, ME, here)
    tabs = _tabs(membership, here)
    return Navigation(
        groups=tuple(groups),
        tabs=tuple(tabs),
        me=tuple(me),
        me_current=ME_PAGE.current(here),
        home_current=HOME.current(here),
    )
