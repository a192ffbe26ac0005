"""Curation (decision 0029): the entries of a curated source become proposals for the
content managers; accepting one makes a third-party / industry news draft in the library,
credited to its source, with the entry's link (whose preview the library then reads); the
draft goes through approval like any other item. The writes of curation live here; its
reads in `selectors`."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from portevoix.accounts.permissions import require
from portevoix.content import services as content_services
from portevoix.core import clock
from portevoix.core.errors import Conflict
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from .models import Feed, Proposal, ProposalStatus
from .sources import Entry

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership
    from portevoix.content.models import ContentItem

log = logging.getLogger(__name__)

# A curated feed proposes at most its newest entries per poll: a feed that suddenly lists
# 500 old entries must not flood the content managers.
PROPOSALS_PER_POLL = 20
MAX_SUMMARY = 2000
TITLE_MAX = 200


def _source_name(feed: Feed) -> str:
    return str(feed)[:200]


def propose(*, feed: Feed, entries: list[Entry], cutoff: dt.datetime) -> int:
    """Store the newest entries of a curated feed as proposals, each once (the unique key
    makes a second poll, or a second worker, add nothing). Entries without a web link, or
    older than `cutoff` (the organization's retention), are not proposed. Returns how many
    proposals were created."""
    now = clock.now()
    fresh = [e for e in entries if e.url and min(e.published_at or now, now) >= cutoff]
    fresh.sort(key=lambda e: e.published_at or now, reverse=True)
    created = 0
    for entry in fresh[:PROPOSALS_PER_POLL]:
        if scoped(Proposal, feed.organization_id).filter(key=entry.key).exists():
            continue
        title = entry.title or entry.text.split("\n", 1)[0]
        summary = entry.text
        if summary.startswith(title):
            summary = summary[len(title) :].strip()
        try:
            with transaction.atomic():
                Proposal.objects.create(
                    organization_id=feed.organization_id,
                    feed=feed,
                    key=entry.key,
                    source_name=_source_name(feed),
                    title=title[:TITLE_MAX] or entry.url[:TITLE_MAX],
                    url=entry.url,
                    summary=summary[:MAX_SUMMARY],
                    language=entry.language,
                    published_at=min(entry.published_at or now, now),
                    found_at=now,
                )
        except IntegrityError:
            continue  # another worker proposed it first
        created += 1
    return created


def _body(proposal: Proposal, language: str) -> str:
    with override(language):
        credit = _("Source: %(source)s") % {"source": proposal.source_name}
    parts = [proposal.summary.strip(), credit]
    return "\n\n".join(p for p in parts if p)


def _audit(actor: Membership, action: str, proposal: Proposal, after: dict[str, object]) -> None:
    gates.audit_record(
        organization=proposal.organization_id,
        actor=actor,
        action=action,
        object_type="listening_proposal",
        object_id=proposal.pk,
        before={"status": ProposalStatus.PENDING},
        after=after,
    )


def proposal_accept(*, actor: Membership, proposal: Proposal) -> ContentItem:
    """Make a third-party / industry news draft from the proposal, once: accepting it again
    (a double click, a second tab) gives the same draft. The draft's language is the
    entry's when it is French or English, else the organization's."""
    require(actor, "content.create", proposal)
    with transaction.atomic():
        proposal = scoped(Proposal, actor.organization_id).select_for_update().get(pk=proposal.pk)
        if proposal.status == ProposalStatus.ACCEPTED and proposal.item is not None:
            return proposal.item
        if proposal.status == ProposalStatus.DISMISSED:
            raise Conflict(_("This proposal was dismissed."))
        language = proposal.language
        if language not in {"fr", "en"}:
            language = actor.organization.default_language
        item = content_services.item_create(
            membership=actor,
            data=content_services.ItemData(
                title=proposal.title[:TITLE_MAX],
                language=language,
                body=_body(proposal, language),
                link=proposal.url,
                content_type="industry_news",
            ),
        )
        proposal.status = ProposalStatus.ACCEPTED
        proposal.item = item
        proposal.decided_by = actor
        proposal.decided_at = clock.now()
        proposal.save(update_fields=["status", "item", "decided_by", "decided_at"])
        _audit(
            actor,
            "listening.proposal_accepted",
            proposal,
            {"status": proposal.status, "item": item.pk},
        )
    return item


def proposal_dismiss(*, actor: Membership, proposal: Proposal) -> Proposal:
    """Set a proposal aside (idempotent). An accepted one stays accepted: its draft lives on
    in the library, where it is archived if unwanted."""
    require(actor, "content.create", proposal)
    with transaction.atomic():
        proposal = scoped(Proposal, actor.organization_id).select_for_update().get(pk=proposal.pk)
        if proposal.status == ProposalStatus.ACCEPTED:
            raise Conflict(_("This proposal is already in the library."))
        if proposal.status == ProposalStatus.PENDING:
            proposal.status = ProposalStatus.DISMISSED
            proposal.decided_by = actor
            proposal.decided_at = clock.now()
            proposal.save(update_fields=["status", "decided_by", "decided_at"])
            _audit(actor, "listening.proposal_dismissed", proposal, {"status": proposal.status})
    return proposal


def purge_expired(*, organization_id: int, cutoff: dt.datetime) -> int:
    """Delete the proposals older than the retention that nobody accepted (an accepted one
    stays as the record of where its draft came from)."""
    _total, rows = (
        scoped(Proposal, organization_id)
        .filter(published_at__lt=cutoff)
        .exclude(status=ProposalStatus.ACCEPTED)
        .delete()
    )
    return rows.get(Proposal._meta.label, 0)
