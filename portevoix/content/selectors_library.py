"""Reads of the content library: its tabs with their counts, filters, sorting, one page of
rows with each item's figures, and the choices of the filters.

A page costs a constant number of queries whatever the library's size: the tab counts (one
grouped query), the page's rows (one, with the copy count as a subquery), their topics (one
prefetch), their figures (one, through `settings.LIBRARY_FIGURES_PROVIDER`) and the filters'
choices (two). The page is read with LIMIT/OFFSET; its total is the current tab's count,
already known, so the paginator never runs a count of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from portevoix.accounts.permissions import require
from portevoix.core import clock, search
from portevoix.core.tenancy import scoped

from .models import ContentItem, NetworkCopy, State
from .selectors import PUBLISHABLE_STATES, effective_state, live_q

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

TEMPLATES_TAB = "templates"
# The tabs, in order ("" is every item that is not a template).
TAB_CODES = (
    "",
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.LIVE,
    State.EXPIRED,
    State.ARCHIVED,
    TEMPLATES_TAB,
)

# The columns the whole library can be sorted by (whitelist: anything else is the default).
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "state": ("state",),
    "type": ("content_type",),
    "language": ("language",),
    "campaign": ("campaign__name",),
    "author": ("author__full_name", "author__email"),
    "publish_at": ("publish_at",),
    "updated": ("updated_at",),
}
# The figures live in analytics: they sort the rows of the current page only.
FIGURE_SORTS = ("shares", "clicks", "conversions")
DEFAULT_SORT = "-updated"

Figures = tuple[int, int, int]
NO_FIGURES: Figures = (0, 0, 0)


@dataclass(frozen=True)
class LibraryFilters:
    """What the library is narrowed to (each empty: no filter)."""

    tab: str = ""  # one of TAB_CODES
    query: str = ""
    campaign_id: int | None = None
    topic_id: int | None = None
    content_type: str = ""
    language: str = ""
    network: str = ""  # items with at least one copy for this network
    author_id: int | None = None
    date_from: dt.date | None = None  # publication date, inclusive
    date_to: dt.date | None = None


@dataclass
class LibraryRow:
    item: ContentItem
    state: str
    figures: Figures

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)


@dataclass
class LibraryPage:
    page: Page[Any]
    rows: list[LibraryRow]
    counts: dict[str, int]
    sort: str
    figures_available: bool
    figure_sort: bool = False  # sorted by a figure: within this page only
    extra: dict[str, Any] = field(default_factory=dict)


def _filtered(membership: Membership, filters: LibraryFilters) -> QuerySet[ContentItem]:
    """The organization's items with every filter but the tab."""
    qs = scoped(ContentItem, membership.organization_id)
    for term in search.query_terms(filters.query):
        qs = qs.filter(search_text__contains=term)
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    if filters.topic_id:
        tagged = ContentItem.topics.through.objects.filter(
            contentitem_id=OuterRef("pk"), topic_id=filters.topic_id
        )
        qs = qs.filter(Exists(tagged))
    if filters.content_type:
        qs = qs.filter(content_type=filters.content_type)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.network:
        copies = NetworkCopy.objects.filter(item_id=OuterRef("pk"), network=filters.network)
        qs = qs.filter(Exists(copies))
    if filters.author_id:
        qs = qs.filter(author_id=filters.author_id)
    if filters.date_from:
        qs = qs.filter(publish_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(publish_at__date__lte=filters.date_to)
    return qs


def _tab_conditions(now: dt.datetime) -> dict[str, Q]:
    """Each tab's condition, by the state a reader sees (`selectors.effective_state`)."""
    regular = Q(is_template=False)
    expired = Q(state=State.EXPIRED) | Q(state__in=PUBLISHABLE_STATES, expire_at__lte=now)
    scheduled = Q(state__in=PUBLISHABLE_STATES, publish_at__gt=now) & (
        Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    )
    return {
        "": regular,
        State.DRAFT: regular & Q(state=State.DRAFT),
        State.IN_REVIEW: regular & Q(state=State.IN_REVIEW),
        State.CHANGES_REQUESTED: regular & Q(state=State.CHANGES_REQUESTED),
        State.APPROVED: regular & scheduled,
        State.LIVE: regular & live_q(now),
        State.EXPIRED: regular & expired,
        State.ARCHIVED: regular & Q(state=State.ARCHIVED),
        TEMPLATES_TAB: Q(is_template=True),
    }


def library_tab_counts(
    *, membership: Membership, filters: LibraryFilters, now: dt.datetime | None = None
) -> dict[str, int]:
    """{tab code: how many items it holds with the other filters}, in one grouped query."""
    require(membership, "content.view_library")
    conditions = _tab_conditions(now or clock.now())
    aggregates = {
        f"t{index}": Count("pk", filter=conditions[code]) for index, code in enumerate(TAB_CODES)
    }
    sums = _filtered(membership, filters).order_by().aggregate(**aggregates)
    return {code: sums[f"t{index}"] or 0 for index, code in enumerate(TAB_CODES)}


# Columns that may be empty: their empty values come last, whatever the direction.
NULLABLE = {"publish_at", "campaign__name", "author__full_name", "author__email"}


def _ordering(sort: str) -> list[OrderBy]:
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    order = []
    for column in SORT_FIELDS[name]:
        last = True if column in NULLABLE else None  # None: plain ORDER BY, index-friendly
        order.append(
            F(column).desc(nulls_last=last) if descending else F(column).asc(nulls_last=last)
        )
    order.append(F("id").desc() if descending else F("id").asc())
    return order


def clean_sort(value: str | None) -> str:
    """A sort from the query string if it is in the whitelist, else the default."""
    name = (value or "").removeprefix("-")
    if name in SORT_FIELDS or name in FIGURE_SORTS:
        return value or DEFAULT_SORT
    return DEFAULT_SORT


@cache
def _provider(path: str) -> Callable[..., dict[int, Figures]]:
    return import_string(path)


def item_figures(*, organization_id: int, item_ids: Iterable[int]) -> dict[int, Figures] | None:
    """{item id: (shares, clicks, conversions)} from the provider named in
    `settings.LIBRARY_FIGURES_PROVIDER`; None when no provider is set."""
    path = getattr(settings, "LIBRARY_FIGURES_PROVIDER", "")
    if not path:
        return None
    return _provider(path)(organization_id=organization_id, item_ids=item_ids)


class _KnownCount:
    """A queryset whose count is already known: the paginator slices it, never counts it."""

    def __init__(self, qs: QuerySet[ContentItem], total: int) -> None:
        self.qs = qs
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: Any) -> Any:
        return self.qs[key]


def library_page(
    *,
    membership: Membership,
    filters: LibraryFilters,
    sort: str = DEFAULT_SORT,
    page_number: Any = 1,
    page_size: int = 20,
) -> LibraryPage:
    """One page of the library for `filters`, sorted by `sort` (see `clean_sort`)."""
    require(membership, "content.view_library")
    now = clock.now()
    sort = clean_sort(sort)
    counts = library_tab_counts(membership=membership, filters=filters, now=now)
    tab = filters.tab if filters.tab in TAB_CODES else ""
    copy_count = (
        NetworkCopy.objects.filter(item_id=OuterRef("pk"))
        .order_by()
        .values("item_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    figure_sort = sort.removeprefix("-") in FIGURE_SORTS
    qs = (
        _filtered(membership, filters)
        .filter(_tab_conditions(now)[tab])
        .select_related("campaign", "author")
        .prefetch_related("topics")
        .annotate(copy_count=Coalesce(Subquery(copy_count, output_field=IntegerField()), 0))
        .defer("body", "body_html", "search_text")
        .order_by(*_ordering(DEFAULT_SORT if figure_sort else sort))
    )
    rows_source: Any = _KnownCount(qs, counts[tab])
    page: Page[Any] = Paginator(rows_source, page_size).get_page(page_number)
    items = list(page.object_list)
    figures = item_figures(
        organization_id=membership.organization_id, item_ids=[item.pk for item in items]
    )
    rows = [
        LibraryRow(item, effective_state(item, now), (figures or {}).get(item.pk, NO_FIGURES))
        for item in items
    ]
    if figure_sort and figures is not None:
        index = FIGURE_SORTS.index(sort.removeprefix("-"))
        rows.sort(key=lambda row: row.figures[index], reverse=sort.startswith("-"))
    return LibraryPage(
        page=page,
        rows=rows,
        counts=counts,
        sort=sort,
        figures_available=figures is not None,
        figure_sort=figure_sort,
    )


def library_authors(*, membership: Membership) -> list[tuple[int, str]]:
    """The people who wrote the organization's items, as (user id, name), by name: the
    choices of the author filter, in one query."""
    require(membership, "content.view_library")
    rows = (
        scoped(ContentItem, membership.organization_id)
        .filter(author__isnull=False)
        .order_by()
        .values_list("author_id", "author__full_name", "author__email")
        .distinct()
    )
    return sorted(((pk, name or email) for pk, name, email in rows), key=lambda r: r[1].lower())


def items_for_bulk(*, membership: Membership, item_ids: Iterable[int]) -> dict[int, ContentItem]:
    """{item id: item} for the organization's items among `item_ids` (the others are
    missing: another organization's item is "not found")."""
    require(membership, "content.view_library")
    ids = list(item_ids)
    qs = scoped(ContentItem, membership.organization_id).filter(pk__in=ids)
    return {item.pk: item for item in qs.prefetch_related("topics")}
