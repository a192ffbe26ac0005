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

from portevoix.core.context_processors import NavBadge, nav_badge

from . import frame
from .menus import (
    GROUPS,
    HOME,
    LEARN,
    ME,
    ME_PAGE,
    MY_FIGURES,
    ROLE_TABS,
    SHARE,
    SHARES_TAB,
    TOKENS,
    Entry,
)
from .permissions import can


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
