"""Context processors of core.

`page_banners`: notices shown on every page (above the messages), such as a crisis pause.
Core knows no app: the providers are listed by dotted path in
`settings.PAGE_BANNER_PROVIDERS`; each is called with the request and returns a sequence of
`Banner` (plain data), or nothing. The banners are computed lazily, only when a template
reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Banner:
    """One notice on every page.

    `message` is the headline (already translated), `detail` the text under it, `level` a
    notice style (`info`, `warning`, `error`), `kind` names the banner (the CSS class
    `<kind>-banner` and the attribute `data-<kind>`), `key` identifies it (the attribute's
    value)."""

    message: str
    level: str = "info"
    detail: str = ""
    kind: str = "page"
    key: str = ""


BannerProvider = Callable[[HttpRequest], Sequence[Banner] | None]


@cache
def _providers(paths: tuple[str, ...]) -> list[Callable[[HttpRequest], Any]]:
    return [import_string(path) for path in paths]


def banners_for(request: HttpRequest) -> list[Banner]:
    found: list[Banner] = []
    providers: list[BannerProvider] = _providers(
        tuple(getattr(settings, "PAGE_BANNER_PROVIDERS", ()))
    )
    for provider in providers:
        found.extend(provider(request) or ())
    return found


def page_banners(request: HttpRequest) -> dict[str, Any]:
    return {"page_banners": SimpleLazyObject(lambda: banners_for(request))}


@dataclass(frozen=True)
class TopbarItem:
    """A link of the top bar's end area, before the menus (the notification bell): `label`
    (already translated, read by screen readers), `url`, `icon` (a name known to
    `includes/icon.html`), `count` (a badge shown when above zero), `key` (the CSS class
    `topbar-<key>`)."""

    label: str
    url: str
    icon: str
    count: int = 0
    key: str = "item"


@dataclass(frozen=True)
class HomeBlock:
    """A block another app adds to a section of the home (`settings.HOME_BLOCK_PROVIDERS`,
    {section: [dotted paths]}; each provider takes the membership and answers a block or
    None): `title`, `count` (shown after the title; `capped`: "N+"), `text` (a line under it),
    `url` and `link`, where the work is done. Every text already translated."""

    title: str
    count: int
    text: str
    url: str
    link: str
    capped: bool = False


def home_blocks(section: str, membership: Any) -> list[HomeBlock]:
    """The blocks of one home section, in the order the setting names the providers."""
    paths = tuple(getattr(settings, "HOME_BLOCK_PROVIDERS", {}).get(section, ()))
    found = (provider(membership) for provider in _providers(paths))
    return [block for block in found if block is not None]


@dataclass(frozen=True)
class NavBadge:
    """A count after a navigation link (`settings.NAV_BADGE_PROVIDERS`): `count` (shown
    when above zero) and `label`, what the count means (already translated, read by screen
    readers instead of the bare number)."""

    count: int
    label: str = ""

    def labelled(self, link_label: Any) -> Any:
        """The link's label followed by the count (when above zero) and, for screen
        readers, what it means."""
        if self.count <= 0:
            return link_label
        return format_html(
            '{} <span class="nav-count" aria-hidden="true">{}</span>'
            '<span class="visually-hidden"> ({})</span>',
            link_label,
            "99+" if self.count > 99 else self.count,
            self.label,
        )


def nav_badge(url_name: str, membership: Any) -> NavBadge | None:
    """The count of a navigation link, from `settings.NAV_BADGE_PROVIDERS` ({url name:
    dotted path of a function of the membership}); None for a link without one."""
    path = dict(getattr(settings, "NAV_BADGE_PROVIDERS", {})).get(url_name)
    if not path:
        return None
    provider: Callable[[Any], NavBadge] = _providers((path,))[0]
    return provider(membership)


TopbarProvider = Callable[[HttpRequest], Sequence[TopbarItem] | None]


def topbar_items_for(request: HttpRequest) -> list[TopbarItem]:
    found: list[TopbarItem] = []
    providers: list[TopbarProvider] = _providers(
        tuple(getattr(settings, "TOPBAR_ITEM_PROVIDERS", ()))
    )
    for provider in providers:
        found.extend(provider(request) or ())
    return found


def topbar_items(request: HttpRequest) -> dict[str, Any]:
    """`topbar_items`: the providers named in `settings.TOPBAR_ITEM_PROVIDERS`, lazily."""
    return {"topbar_items": SimpleLazyObject(lambda: topbar_items_for(request))}
