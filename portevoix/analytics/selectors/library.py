"""The figures of the content library's rows (`settings.LIBRARY_FIGURES_PROVIDER`).

Content may not import analytics, so the library names this function in a setting and
loads it with `import_string`. It reads the month rows of `ItemRollup` (all time: every
day of an item is in exactly one month row) for the page's items only: one query, on the
rollup's key (organization, item, network, grain, period).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum

from portevoix.core.tenancy import scoped

from ..models import GRAIN_MONTH, ItemRollup

# (shares, clicks, conversions)
ItemFigures = tuple[int, int, int]


def item_figures(*, organization_id: int, item_ids: Iterable[int]) -> dict[int, ItemFigures]:
    """{item id: (shares, clicks, conversions)} since the beginning, for the organization's
    items among `item_ids`; an item with no figure yet is absent (read it as zeros).

    The caller has authorized: the library is open to members who may see the
    organization's content, and these are counts, never people."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = (
        scoped(ItemRollup, organization_id)
        .filter(grain=GRAIN_MONTH, item_id__in=ids)
        .order_by()
        .values("item_id")
        .annotate(s=Sum("shares"), c=Sum("clicks"), v=Sum("conversions"))
        .values_list("item_id", "s", "c", "v")
    )
    return {item_id: (s or 0, c or 0, v or 0) for item_id, s, c, v in rows}
