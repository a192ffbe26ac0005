"""Shares: prepare the share page, compose and check a post, record, confirm, remove.

A share reaches the dashboards only through `analytics.rollups.rollup_add`, in the same
transaction as the Share row.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.analytics import rollups
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from .. import intents, selectors, signals
from ..models import Share, ShareState, TrackedLink
from ..textcheck import copy_errors, text_fingerprint
from ..visitor import local_day
from .links import link_get_or_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership
    from portevoix.content.models import ContentItem

logger = logging.getLogger("portevoix.sharing")

MAX_SHARE_TEXT = 100_000


class SharingBlocked(DomainError):
    """The member may not share now (charter not acknowledged, course not passed...)."""

    status = 403

    def __init__(self, blockers: Sequence[gates.Blocker]):
        self.blockers = list(blockers)
        lines = [f"{b.message} ({b.url})" for b in self.blockers]
        super().__init__(
            _("You cannot share yet: %(reasons)s") % {"reasons": " ".join(lines)},
            field_errors={"blockers": lines},
        )


@dataclass(frozen=True)
class ShareStart:
    share: Share
    intent_url: str
    short_url: str
    text: str


@dataclass(frozen=True)
class SharePreparation:
    """What the share page shows before anything is recorded."""

    item: ContentItem
    network: str
    link: TrackedLink
    short_url: str
    # (copy id or None for the default text, the full text with the short link)
    variants: list[tuple[int | None, str]]
    instance: str | None
    needs_instance: bool
    prefills_text: bool
    blockers: list[gates.Blocker]


def _default_copy(item: ContentItem) -> str:
    return item.title


def _suggestions(item: ContentItem, network: str) -> list[tuple[int | None, str]]:
    copies = selectors.suggested_copies(item, network)
    if copies:
        return [(copy.pk, copy.text) for copy in copies]
    return [(None, _default_copy(item))]


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _check_network(network: str) -> None:
    if network not in Network.ALL:
        raise NotFound(_("Not found."))


def share_prepare(*, membership: Membership, item_id: int, network: str) -> SharePreparation:
    """Everything the share page needs: the tracked link (created once: the copy button
    gives the text with it), the suggested texts with the link in place, the Mastodon
    instance, and what stops the member from sharing, if anything."""
    require(membership, "share.create")
    _check_network(network)
    item = selectors.live_item(membership=membership, item_id=item_id)
    instance, _audience = selectors.share_audience(membership=membership, network=network)
    link = link_get_or_create(membership=membership, item=item, network=network)
    short = selectors.short_url(link.code)
    variants = [
        (pk, intents.compose_text(text, item_link=item.link, short_url=short))
        for pk, text in _suggestions(item, network)
    ]
    return SharePreparation(
        item=item,
        network=network,
        link=link,
        short_url=short,
        variants=variants,
        instance=instance,
        needs_instance=network == Network.MASTODON and instance is None,
        prefills_text=network not in intents.NO_TEXT_NETWORKS,
        blockers=list(gates.sharing_blockers(membership, personalize=False)),
    )


def _guardrail_message(result: gates.GuardrailResult) -> list[str]:
    return [
        _("“%(term)s”: %(reason)s") % {"term": match.term, "reason": match.reason}
        for match in result.matches
        if match.action == "block"
    ]


@dataclass(frozen=True)
class Composition:
    """A post ready to go out: checked against the network's limit, the charter gates and
    the guardrails (with the disclosure added when required)."""

    item: ContentItem
    network: str
    link: TrackedLink
    short_url: str
    text: str
    personalized: bool
    audience: int
    instance: str | None
    # Guardrails matched with "warn": the share is recorded and sent to the moderators.
    warned: gates.GuardrailResult | None


def share_compose(
    *,
    membership: Membership,
    item_id: int,
    network: str,
    text: str | None = None,
    variant_id: int | None = None,
) -> Composition:
    """Check and compose what `membership` would post on `network` for a live item: `text`
    is the ambassador's own text (personalized when it differs from every suggested copy:
    an original post); without it, the suggested copy `variant_id` (else the first one).
    Raises DomainError (with field errors) or SharingBlocked; records nothing but the
    tracked link (created once)."""
    require(membership, "share.create")
    _check_network(network)
    if text is not None and len(text) > MAX_SHARE_TEXT:
        raise DomainError(_("The text is too long."), field_errors={"text": [_("Too long.")]})
    item = selectors.live_item(membership=membership, item_id=item_id)
    instance, audience = selectors.share_audience(membership=membership, network=network)
    link = link_get_or_create(membership=membership, item=item, network=network)
    short = selectors.short_url(link.code)

    suggestions = [
        (pk, intents.compose_text(raw, item_link=item.link, short_url=short))
        for pk, raw in _suggestions(item, network)
    ]
    if text is None or not text.strip():
        chosen = next((full for pk, full in suggestions if pk == variant_id), suggestions[0][1])
        personalized = False
        # The disclosures other apps require (rewards of value) go on suggested copies too.
        required = gates.required_disclosures_add(
            organization=membership.organization, text=chosen, network=network
        )
        if required.blocked:
            raise DomainError(
                _("With the required disclosure, the text no longer fits this network."),
                field_errors={"text": _guardrail_message(required)},
            )
        chosen = required.text
    else:
        chosen = intents.compose_text(text, item_link=item.link, short_url=short)
        personalized = _normalized(chosen) not in {_normalized(full) for _pk, full in suggestions}

    blockers = gates.sharing_blockers(membership, personalize=personalized)
    if blockers:
        raise SharingBlocked(blockers)

    errors = copy_errors(network, intents.posted_text(network, chosen, short))
    if errors:
        raise DomainError(_("The text does not fit this network."), field_errors={"text": errors})
    warned: gates.GuardrailResult | None = None
    if personalized:
        result = gates.guardrails_check(
            organization=membership.organization, text=chosen, network=network
        )
        if result.blocked:
            raise DomainError(
                _("The text goes against the social media charter."),
                field_errors={"text": _guardrail_message(result)},
            )
        chosen = result.text
        errors = copy_errors(network, intents.posted_text(network, chosen, short))
        if errors:
            raise DomainError(
                _("With the required disclosure, the text no longer fits this network."),
                field_errors={"text": errors},
            )
        if result.warned:
            warned = result
    return Composition(
        item=item,
        network=network,
        link=link,
        short_url=short,
        text=chosen,
        personalized=personalized,
        audience=audience,
        instance=instance,
        warned=warned,
    )


def share_record(
    *,
    membership: Membership,
    item: ContentItem,
    network: str,
    link: TrackedLink,
    text: str,
    personalized: bool,
    audience: int,
    at: dt.datetime,
    state: str = ShareState.OPENED,
    warned: gates.GuardrailResult | None = None,
) -> Share:
    """Record a share and count it in the rollups (same transaction: call inside one)."""
    share = Share.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        item=item,
        network=network,
        link=link,
        text=text,
        personalized=personalized,
        state=state,
        audience=audience,
        created_at=at,
        confirmed_at=at if state == ShareState.PUBLISHED else None,
        published_at=at if state == ShareState.PUBLISHED else None,
    )
    if warned is not None:
        gates.moderation_flag(
            organization=membership.organization,
            author=membership,
            text=text,
            reason="; ".join(f"{m.term}: {m.reason}" for m in warned.matches),
            source="share",
            object_id=share.pk,
        )
    rollups.rollup_add(
        organization_id=membership.organization_id,
        day=local_day(at),
        item_id=item.pk,
        campaign_id=item.campaign_id,
        membership_id=membership.pk,
        network=network,
        shares=1,
        original_posts=1 if personalized else 0,
        potential_reach=audience,
    )
    if state == ShareState.PUBLISHED:
        _announce_posted(share)
    return share


def _announce_posted(share: Share) -> None:
    signals.share_posted.send(
        sender=Share,
        organization_id=share.organization_id,
        membership_id=share.membership_id,
        share_id=share.pk,
        network=share.network,
        personalized=share.personalized,
        at=share.confirmed_at or share.created_at,
        # Only a rewritten text is the sharer's own; the suggested copy is the same for all.
        text_hash=text_fingerprint(share.text) if share.personalized else "",
    )


def share_record_published(
    *,
    membership: Membership,
    item: ContentItem,
    network: str,
    link: TrackedLink,
    text: str,
    personalized: bool,
    audience: int,
    at: dt.datetime,
) -> Share:
    """Record a share posted through a connected account (publishing's engine): published
    and confirmed at `at`, counted in the rollups (same transaction: call inside one)."""
    return share_record(
        membership=membership,
        item=item,
        network=network,
        link=link,
        text=text,
        personalized=personalized,
        audience=audience,
        at=at,
        state=ShareState.PUBLISHED,
    )


@transaction.atomic
def share_open(
    *,
    membership: Membership,
    item_id: int,
    network: str,
    text: str | None = None,
    variant_id: int | None = None,
) -> ShareStart:
    """Record that the ambassador opens the network's share page for a live item, and give
    the page's URL. `text` is the ambassador's own text (personalized when it differs from
    every suggested copy: an original post); without it, the suggested copy `variant_id`
    (else the first one) is shared as it is."""
    if network == Network.MASTODON:
        require(membership, "share.create")
        instance, _audience = selectors.share_audience(membership=membership, network=network)
        if instance is None:
            message = _("Add your Mastodon instance to your ambassador profile first.")
            raise DomainError(message, field_errors={"instance": [message]})
    composed = share_compose(
        membership=membership, item_id=item_id, network=network, text=text, variant_id=variant_id
    )
    share = share_record(
        membership=membership,
        item=composed.item,
        network=network,
        link=composed.link,
        text=composed.text,
        personalized=composed.personalized,
        audience=composed.audience,
        at=clock.now(),
        warned=composed.warned,
    )
    url = intents.intent_url(
        network, text=composed.text, url=composed.short_url, instance=composed.instance
    )
    logger.info(
        "share_opened org=%s share=%s network=%s personalized=%s",
        membership.organization_id,
        share.pk,
        network,
        composed.personalized,
    )
    return ShareStart(share=share, intent_url=url, short_url=composed.short_url, text=composed.text)


@transaction.atomic
def share_confirm(*, membership: Membership, share_id: int) -> Share:
    """The ambassador says they posted it. Idempotent; only their own shares (else 404)."""
    share = (
        scoped(Share, membership.organization_id)
        .select_for_update()
        .filter(membership_id=membership.pk, pk=share_id)
        .first()
    )
    if share is None:
        raise NotFound(_("Not found."))
    if share.state == ShareState.OPENED and share.removed_at is None:
        share.state = ShareState.CONFIRMED
        share.confirmed_at = clock.now()
        share.save(update_fields=["state", "confirmed_at"])
        _announce_posted(share)
    return share


@transaction.atomic
def share_remove(*, share_id: int, actor: Membership) -> Share:
    """Moderation takes a share down: it is marked removed (kept, and kept in the rollups:
    it was shared). Needs `share.remove`; another organization's share is a 404."""
    require(actor, "share.remove")
    share = scoped(Share, actor.organization_id).select_for_update().filter(pk=share_id).first()
    if share is None:
        raise NotFound(_("Not found."))
    if share.removed_at is None:
        share.removed_at = clock.now()
        share.save(update_fields=["removed_at"])
        signals.share_removed.send(
            sender=Share, organization_id=share.organization_id, share_id=share.pk
        )
        logger.info("share_removed org=%s share=%s", actor.organization_id, share.pk)
    return share


def share_moderation_remove(*, actor: Membership, object_id: str, comment: str = "") -> str:
    """Moderation takes a reported share down (governance calls this through
    `settings.MODERATION_REMOVERS`): `share_remove`. Returns a `gates.Removal` outcome."""
    share_remove(share_id=int(object_id), actor=actor)
    return gates.Removal.DONE
