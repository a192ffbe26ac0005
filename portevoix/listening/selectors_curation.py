"""Reads of curation (decision 0029): the proposals of the curated sources, and the 80/20
content mix of the program's shares against its target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.context_processors import NavBadge
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.sharing import selectors as sharing_selectors

from .models import Proposal, ProposalStatus

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

PAGE_SIZE = 50
MIX_DAYS = 30


def proposals(*, membership: Membership, status: str = ProposalStatus.PENDING) -> list[Proposal]:
    """The organization's proposals in one status, newest first (at most `PAGE_SIZE`)."""
    require(membership, "content.create")
    if status not in ProposalStatus.values:
        status = ProposalStatus.PENDING
    qs = scoped(Proposal, membership.organization_id).filter(status=status)
    return list(qs.select_related("item").order_by("-published_at", "-id")[:PAGE_SIZE])


def pending_count(*, membership: Membership) -> int:
    require(membership, "content.create")
    qs = scoped(Proposal, membership.organization_id)
    return qs.filter(status=ProposalStatus.PENDING).count()


def proposal_of(*, membership: Membership, pk: int) -> Proposal:
    proposal = get_scoped(Proposal, membership.organization_id, pk=pk)  # 404 elsewhere
    require(membership, "content.create", proposal)
    return proposal


@dataclass(frozen=True)
class MixReport:
    days: int
    target: int
    program: sharing_selectors.ContentMix
    ambassadors: int  # members who shared in the period
    below: int  # mostly company content (under target - tolerance)
    on_target: int
    above: int  # mostly third-party (over target + tolerance)


def content_mix(*, membership: Membership, now: dt.datetime | None = None) -> MixReport:
    """The program's share of third-party news over the last `MIX_DAYS` days against the
    target, and how many ambassadors are below, on or above it (counts only: no names)."""
    require(membership, "content.create")
    since = (now or clock.now()) - dt.timedelta(days=MIX_DAYS)
    program, members = sharing_selectors.content_mix(
        organization_id=membership.organization_id, since=since
    )
    bands = [mix.band for mix in members.values()]
    below, on_target, above = (bands.count(b) for b in ("below", "near", "above"))
    return MixReport(MIX_DAYS, program.target, program, len(members), below, on_target, above)


def curation_badge(membership: Membership) -> NavBadge:
    """The count next to "Curation" in the navigation (`settings.NAV_BADGE_PROVIDERS`): the
    proposals waiting, in one query."""
    count = pending_count(membership=membership)
    label = ngettext("%(n)d proposal waiting", "%(n)d proposals waiting", count) % {"n": count}
    return NavBadge(count=count, label=label)


def content_origin(*, item: object) -> tuple[str, str] | None:
    """Where a content item came from, for its page (`settings.CONTENT_ORIGIN_PROVIDERS`):
    the curated source whose entry it was made from; None for any other item."""
    organization_id = getattr(item, "organization_id", None)
    if organization_id is None:
        return None
    found = scoped(Proposal, organization_id).filter(item_id=getattr(item, "pk", None)).first()
    if found is None:
        return None
    label = _("Curated from %(source)s: “%(title)s”") % {
        "source": found.source_name,
        "title": found.title,
    }
    return label, found.url
