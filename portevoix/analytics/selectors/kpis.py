"""The KPIs with their formulas in sight: engagement rate, clicks per share, active
ambassador rate, participation rate, content mix, and earned media value (EMV) computed
with the organization's own rates. Each KPI says how it is computed, with the period's
numbers, and whether it rests on measured figures or on estimates.

Read from the rollups (and, for people, the accounts' counts), in the dashboard's filters:
a handful of queries, whatever the number of shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.content import selectors as content_selectors
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from ..models import InsightSettings
from .figures import SUMS, Figures
from .scope import Filters, Scope
from .tables import FINE_TABLE, _rows

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

THIRD_PARTY = "industry_news"  # the content type of third-party and sector news
CENT = Decimal("0.01")
MEASURED, ESTIMATED, MIXED = "measured", "estimated", "mixed"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: Decimal | None  # None: not computable for this period (said in `formula`)
    unit: str  # "%", "x" (a ratio), or a currency code
    formula: str  # the formula with this period's numbers
    basis: str  # measured, estimated or mixed
    basis_text: str
    target: Decimal | None = None


@dataclass(frozen=True)
class EmvPart:
    label: str
    amount: Decimal
    formula: str
    basis: str


@dataclass(frozen=True)
class Kpis:
    kpis: list[Kpi]
    emv_parts: list[EmvPart] = field(default_factory=list)
    currency: str = "EUR"


DEFAULT_MIX_TARGET = 80  # the model's default: company and expertise content, %


def insight_settings(organization_id: int) -> InsightSettings:
    """The organization's settings row, created with the defaults on first use."""
    row = scoped(InsightSettings, organization_id).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return InsightSettings.objects.create(organization_id=organization_id)
    except IntegrityError:
        return scoped(InsightSettings, organization_id).get()


def third_party_target(organization_id: int) -> int:
    """The organization's target share of third-party / industry news in the shares, in %:
    what its content mix target leaves (`settings.CONTENT_MIX_TARGET_PROVIDER`, read by
    sharing and curation's 80/20). A read: the defaults (80 / 20) when no row is kept yet."""
    row = scoped(InsightSettings, organization_id).only("mix_target").first()
    own = row.mix_target if row is not None else DEFAULT_MIX_TARGET
    return 100 - own


def _num(value: Decimal | int, places: int = 0) -> str:
    return number_format(value, decimal_pos=places, force_grouping=True)


def _ratio(
    numerator: Decimal | int, denominator: Decimal | int, scale: int = 100
) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT)


def active_ambassadors(scope: Scope, filters: Filters) -> int:
    """Members who shared (or posted their own text) at least once in the range."""
    _table, qs = _rows(scope, filters, group="membership_id")
    totals = qs.values("membership_id").annotate(total=Sum("shares") + Sum("original_posts"))
    return totals.filter(total__gt=0).count()


def _engagement_rate(figures: Figures) -> Kpi:
    label = _("Engagement rate")
    if figures.impressions:
        return Kpi(
            "engagement_rate",
            label,
            _ratio(figures.impression_engagements, figures.impressions),
            "%",
            _("%(e)s engagements ÷ %(i)s measured impressions")
            % {"e": _num(figures.impression_engagements), "i": _num(figures.impressions)},
            MEASURED,
            _("Measured: posts of connected accounts whose network reports impressions."),
        )
    return Kpi(
        "engagement_rate",
        label,
        _ratio(figures.engagements, figures.potential_reach),
        "%",
        _("%(e)s engagements ÷ %(r)s potential reach (no measured impressions this period)")
        % {"e": _num(figures.engagements), "r": _num(figures.potential_reach)},
        ESTIMATED,
        _("Estimate: potential reach stands in for impressions, which no network reported."),
    )


def _content_mix(scope: Scope, filters: Filters, target: int) -> list[Kpi]:
    """The organization's share of company and expertise content in its shares, and how
    many of the ambassadors who shared keep to the target."""
    _table, qs = _rows(scope, filters, table=FINE_TABLE)
    rows = list(
        qs.values("membership_id", "item_id")
        .annotate(n=Sum("shares"))
        .filter(n__gt=0)
        .values_list("membership_id", "item_id", "n")
    )
    types = content_selectors.item_content_types(
        organization_id=scope.organization_id, item_ids=[item for _m, item, _n in rows]
    )
    own: dict[int, int] = {}
    total: dict[int, int] = {}
    for member, item, n in rows:
        total[member] = total.get(member, 0) + n
        if types.get(item) != THIRD_PARTY:
            own[member] = own.get(member, 0) + n
    all_own, all_shares = sum(own.values()), sum(total.values())
    keeping = sum(1 for m, n in total.items() if own.get(m, 0) * 100 >= target * n)
    basis = _("Measured: the shares of the period by content type.")
    return [
        Kpi(
            "content_mix",
            _("Company and expertise content"),
            _ratio(all_own, all_shares),
            "%",
            _("%(own)s company and expertise shares ÷ %(all)s shares (target %(t)s %%)")
            % {"own": _num(all_own), "all": _num(all_shares), "t": target},
            MEASURED,
            basis,
            Decimal(target),
        ),
        Kpi(
            "mix_kept",
            _("Ambassadors keeping to the content mix"),
            _ratio(keeping, len(total)),
            "%",
            _(
                "%(k)s ambassadors at %(t)s %% or more of company and expertise content "
                "÷ %(n)s who shared"
            )
            % {"k": _num(keeping), "t": target, "n": _num(len(total))},
            MEASURED,
            basis,
        ),
    ]


def _emv(scope: Scope, filters: Filters, settings: InsightSettings) -> tuple[Kpi, list[EmvPart]]:
    _table, qs = _rows(scope, filters, group="network")
    by_network = {
        row["network"]: Figures.from_sums(row)
        for row in qs.values("network").annotate(**SUMS).order_by("network")
    }
    parts: list[EmvPart] = []
    for network in Network.ALL:
        figures = by_network.get(network)
        if figures is None or not (figures.impressions or figures.potential_reach):
            continue
        cpm = settings.cpm_for(network)
        name = Network.LABELS[network]
        if figures.impressions:
            seen, basis = figures.impressions, MEASURED
            formula = _("%(n)s measured impressions ÷ 1,000 × %(cpm)s") % {  # noqa: RUF001
                "n": _num(seen),
                "cpm": _num(cpm, 2),
            }
        else:
            seen, basis = figures.potential_reach, ESTIMATED
            formula = _("%(n)s potential reach (estimate) ÷ 1,000 × %(cpm)s") % {  # noqa: RUF001
                "n": _num(seen),
                "cpm": _num(cpm, 2),
            }
        amount = (Decimal(seen) / 1000 * cpm).quantize(CENT)
        parts.append(EmvPart(_("Reach on %(network)s") % {"network": name}, amount, formula, basis))
    clicks = sum(f.clicks for f in by_network.values())
    engagements = sum(f.engagements for f in by_network.values())
    parts.append(
        EmvPart(
            _("Clicks"),
            (clicks * settings.cpc).quantize(CENT),
            _("%(n)s clicks × %(cpc)s") % {"n": _num(clicks), "cpc": _num(settings.cpc, 2)},  # noqa: RUF001
            MEASURED,
        )
    )
    parts.append(
        EmvPart(
            _("Engagements"),
            (engagements * settings.per_engagement).quantize(CENT),
            _("%(n)s engagements × %(v)s")  # noqa: RUF001
            % {"n": _num(engagements), "v": _num(settings.per_engagement, 2)},
            MEASURED,
        )
    )
    total = sum((p.amount for p in parts), Decimal(0))
    bases = {p.basis for p in parts if p.amount}
    basis = bases.pop() if len(bases) == 1 else MIXED if bases else MEASURED
    texts = {
        MEASURED: _("Measured: every part rests on measured figures."),
        ESTIMATED: _("Estimate: the reach of networks that report no impressions."),
        MIXED: _(
            "Partly estimated: networks that report no impressions (LinkedIn gives none for "
            "personal posts) count their potential reach instead; clicks and engagements "
            "are measured."
        ),
    }
    kpi = Kpi(
        "emv",
        _("Earned media value"),
        total.quantize(CENT),
        settings.currency,
        _("the reach on %(n)s networks + %(c)s + %(e)s (part by part below)")
        % {"n": len(parts) - 2, "c": parts[-2].formula, "e": parts[-1].formula},
        basis,
        texts[basis],
    )
    return kpi, parts


def kpis(*, membership: Membership, filters: Filters, figures: Figures | None = None) -> Kpis:
    """The organization's KPIs for the dashboard's filters (`analytics.view_org`);
    `figures`: the totals of these filters when the caller has them already."""
    require(membership, "analytics.view_org")
    scope = Scope(membership.organization_id, None)
    settings = insight_settings(membership.organization_id)
    if figures is None:
        _table, qs = _rows(scope, filters)
        figures = Figures.from_sums(qs.aggregate(**SUMS))
    people = account_selectors.people_counts(
        organization_id=membership.organization_id, team_id=filters.team_id
    )
    active = active_ambassadors(scope, filters)
    invited = people.members + people.pending_invitations
    result: list[Any] = [
        _engagement_rate(figures),
        Kpi(
            "clicks_per_share",
            _("Clicks per share"),
            _ratio(figures.clicks, figures.shares, scale=1),
            "x",
            _("%(c)s clicks ÷ %(s)s shares")
            % {"c": _num(figures.clicks), "s": _num(figures.shares)},
            MEASURED,
            _("Measured: counted clicks (bots, repeats and the sharer's own left out)."),
        ),
        Kpi(
            "active_rate",
            _("Active ambassador rate"),
            _ratio(active, people.ambassadors),
            "%",
            _("%(a)s ambassadors who shared in the period ÷ %(n)s ambassadors today")
            % {"a": _num(active), "n": _num(people.ambassadors)},
            MEASURED,
            _("Measured."),
        ),
        Kpi(
            "participation_rate",
            _("Participation rate"),
            _ratio(people.ambassadors, invited),
            "%",
            _("%(a)s ambassadors ÷ %(i)s employees invited (members and pending invitations)")
            % {"a": _num(people.ambassadors), "i": _num(invited)},
            MEASURED,
            _("Measured: today's counts, whatever the period."),
        ),
    ]
    result += _content_mix(scope, filters, settings.mix_target)
    emv, parts = _emv(scope, filters, settings)
    result.append(emv)
    return Kpis(result, parts, settings.currency)
