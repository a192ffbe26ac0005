"""Every write of the sharing app: tracked links, shares, clicks, conversions, settings.

Figures reach the dashboards only through `analytics.rollups.rollup_add`, called in the
same transaction as the raw row it counts (a share, a newly counted click, a new
attributed conversion), so the rollups always equal a recount of the raw rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.models import Membership, Organization
from portevoix.accounts.permissions import require
from portevoix.analytics import rollups
from portevoix.content.models import ContentItem, NetworkCopy
from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.networks import CopyCheck, Network, check_copy
from portevoix.governance import gates

from . import intents, selectors, utm
from .codes import is_click_id, is_code, new_code
from .models import (
    Click,
    Conversion,
    ConversionKind,
    Share,
    ShareState,
    TrackedLink,
    TrackingSettings,
)
from .records import ClickRecord
from .visitor import local_day

logger = logging.getLogger("portevoix.sharing")

MAX_SHARE_TEXT = 100_000
CODE_ATTEMPTS = 8


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


class Unauthorized(DomainError):
    status = 401


def network_label(network: str) -> str:
    return Network.LABELS.get(network, network)


# --- Tracked links


def link_get_or_create(*, membership: Membership, item: ContentItem, network: str) -> TrackedLink:
    """The one tracked link of (ambassador, item, network): created once, then the same
    link every time, also when two requests create it at the same moment."""
    if network not in Network.ALL:
        raise DomainError(_("Unknown network."), field_errors={"network": [_("Unknown network.")]})
    if item.organization_id != membership.organization_id:
        raise NotFound(_("Not found."))
    lookup = {"membership_id": membership.pk, "item_id": item.pk, "network": network}
    found = TrackedLink.objects.filter(**lookup).first()
    if found is not None:
        return found
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    organization_id=membership.organization_id, code=code, **lookup
                )
        except IntegrityError:
            # Either someone created this link just now (read it), or the random code
            # was taken (draw another one).
            found = TrackedLink.objects.filter(**lookup).first()
            if found is not None:
                return found
    raise Conflict(_("Could not create a short link; try again."))  # pragma: no cover


# --- Shares


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
    copies: list[NetworkCopy] = selectors.suggested_copies(item, network)
    if copies:
        return [(copy.pk, copy.text) for copy in copies]
    return [(None, _default_copy(item))]


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _instance_for(membership: Membership, network: str) -> tuple[str | None, int]:
    found = selectors.presence(membership=membership, network=network)
    synced = selectors.connected_audience(membership=membership, network=network)
    audience = synced if synced is not None else (found.audience if found is not None else 0)
    if network != Network.MASTODON:
        return None, audience
    return intents.normalize_instance(found.instance if found else ""), audience


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
    instance, _audience = _instance_for(membership, network)
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


def copy_report(network: str, text: str) -> tuple[CopyCheck, list[str]]:
    """The length of `text` on `network` and why it does not fit (translated), if so."""
    from portevoix.content.services import copy_error_message

    result = check_copy(network, text)
    return result, [copy_error_message(network, code, result.length) for code in result.errors]


def copy_errors(network: str, text: str) -> list[str]:
    """Why `text` does not fit `network` (translated), or an empty list."""
    return copy_report(network, text)[1]


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
    instance, audience = _instance_for(membership, network)
    link = link_get_or_create(membership=membership, item=item, network=network)
    short = selectors.short_url(link.code)

    suggestions = [
        (pk, intents.compose_text(raw, item_link=item.link, short_url=short))
        for pk, raw in _suggestions(item, network)
    ]
    if text is None or not text.strip():
        chosen = next((full for pk, full in suggestions if pk == variant_id), suggestions[0][1])
        personalized = False
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
    return share


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
        instance, _audience = _instance_for(membership, network)
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
        Share.objects.select_for_update()
        .filter(organization_id=membership.organization_id, membership_id=membership.pk)
        .filter(pk=share_id)
        .first()
    )
    if share is None:
        raise NotFound(_("Not found."))
    if share.state == ShareState.OPENED and share.removed_at is None:
        share.state = ShareState.CONFIRMED
        share.confirmed_at = clock.now()
        share.save(update_fields=["state", "confirmed_at"])
    return share


@transaction.atomic
def share_remove(*, share_id: int, actor: Membership) -> Share:
    """Moderation takes a share down: it is marked removed (kept, and kept in the rollups:
    it was shared). Needs `share.remove`; another organization's share is a 404."""
    require(actor, "share.remove")
    share = (
        Share.objects.select_for_update()
        .filter(organization_id=actor.organization_id, pk=share_id)
        .first()
    )
    if share is None:
        raise NotFound(_("Not found."))
    if share.removed_at is None:
        share.removed_at = clock.now()
        share.save(update_fields=["removed_at"])
        logger.info("share_removed org=%s share=%s", actor.organization_id, share.pk)
    return share


# --- Clicks

_INGEST_LOCK = 0x706F7274  # "port": serializes click ingestion on PostgreSQL
_IN_CHUNK = 500


def _chunks(values: Sequence[str], size: int = _IN_CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _ingest_lock() -> None:
    """One ingester at a time, so "first click of the day" and the rollups stay exact.
    SQLite already serializes write transactions (BEGIN IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_INGEST_LOCK])


def _click_id_for(record: ClickRecord) -> str:
    if is_click_id(record.click_id):
        return record.click_id
    # No usable id from the journal: a stable one, so a replay is still recognized.
    return "j" + hashlib.sha256(record.journal_key.encode("utf-8")).hexdigest()[:31]


_VISITOR = re.compile(r"^[0-9a-f]{32}$")


def _clean_country(value: str) -> str:
    value = (value or "").strip().upper()
    return value if re.fullmatch(r"[A-Z]{2}", value) else ""


def _clean_referrer(value: str) -> str:
    value = (value or "").strip().lower()
    return value if re.fullmatch(r"[a-z0-9_.-]{1,20}", value) else ""


class _Link(NamedTuple):
    id: int
    organization_id: int
    membership_id: int
    item_id: int
    network: str


class _Cell(NamedTuple):
    organization_id: int
    day: dt.date
    item_id: int
    campaign_id: int | None
    membership_id: int
    network: str


@dataclass
class _Counts:
    clicks: int = 0
    visitors: set[str] = field(default_factory=set)


def clicks_ingest(records: Sequence[ClickRecord]) -> int:
    """Insert the journal's clicks, idempotently (keyed by `journal_key`), and count them.

    Bots and HEAD requests are skipped; unknown codes are skipped. A click is `counted`
    when it is the first of its visitor on its link that day (also across batches). The
    rollups receive, per cell (organization, day, item, campaign, ambassador, network),
    `clicks` = newly counted clicks and `unique_visitors` = distinct visitors among them
    that had no counted click in the cell that day: a replayed batch adds nothing.
    One transaction per batch. Returns the number of Click rows inserted."""
    human: dict[str, ClickRecord] = {}
    for record in records:
        if record.bot or record.head or not record.journal_key:
            continue
        if len(record.journal_key) > 80 or not is_code(record.code):
            logger.warning("click_skipped reason=malformed")
            continue
        if record.at.tzinfo is None:
            logger.warning("click_skipped reason=naive_datetime")
            continue
        if not _VISITOR.match(record.visitor or ""):
            # Only the daily salted hash is ever stored, never anything that may be an IP.
            logger.warning("click_skipped reason=visitor_not_hashed")
            continue
        human.setdefault(record.journal_key, record)
    if not human:
        return 0
    with transaction.atomic():
        _ingest_lock()
        keys = list(human)
        done: set[str] = set()
        for chunk in _chunks(keys):
            done.update(
                Click.objects.filter(journal_key__in=chunk).values_list("journal_key", flat=True)
            )
        fresh = sorted(
            (r for k, r in human.items() if k not in done), key=lambda r: (r.at, r.journal_key)
        )
        if not fresh:
            return 0
        codes = sorted({r.code for r in fresh})
        links: dict[str, _Link] = {}
        for chunk in _chunks(codes):
            for values in TrackedLink.objects.filter(code__in=chunk).values_list(
                "code", "id", "organization_id", "membership_id", "item_id", "network"
            ):
                links[values[0]] = _Link(*values[1:])
        campaigns: dict[int, int | None] = dict(
            ContentItem.objects.filter(
                pk__in={link.item_id for link in links.values()}
            ).values_list("pk", "campaign_id")
        )
        known = [r for r in fresh if r.code in links]
        if len(known) < len(fresh):
            logger.info("clicks_skipped reason=unknown_code count=%s", len(fresh) - len(known))
        if not known:
            return 0
        click_ids = [_click_id_for(r) for r in known]
        taken: set[str] = set()
        for chunk in _chunks(click_ids):
            taken.update(
                Click.objects.filter(click_id__in=chunk).values_list("click_id", flat=True)
            )
        # Visitors already counted on these links these days (one query, then exact match).
        link_ids = {links[r.code].id for r in known}
        days = {local_day(r.at) for r in known}
        visitors = sorted({r.visitor for r in known})
        counted_before: set[tuple[int, dt.date, str]] = set()
        for chunk in _chunks(visitors):
            counted_before.update(
                Click.objects.filter(
                    link_id__in=link_ids, day__in=days, visitor__in=chunk, counted=True
                ).values_list("link_id", "day", "visitor")
            )

        rows: list[Click] = []
        cells: dict[_Cell, _Counts] = defaultdict(_Counts)
        seen_ids: set[str] = set()
        for record, click_id in zip(known, click_ids, strict=True):
            if click_id in taken or click_id in seen_ids:
                logger.warning("click_skipped reason=duplicate_click_id")
                continue
            seen_ids.add(click_id)
            link = links[record.code]
            day = local_day(record.at)
            visitor = record.visitor
            key = (link.id, day, visitor)
            counted = key not in counted_before
            counted_before.add(key)
            rows.append(
                Click(
                    organization_id=link.organization_id,
                    link_id=link.id,
                    item_id_copy=link.item_id,
                    membership_id_copy=link.membership_id,
                    network=link.network,
                    at=record.at,
                    day=day,
                    visitor=visitor,
                    counted=counted,
                    referrer_network=_clean_referrer(record.referrer_network),
                    country=_clean_country(record.country),
                    click_id=click_id,
                    journal_key=record.journal_key,
                )
            )
            if counted:
                cell = _Cell(
                    link.organization_id,
                    day,
                    link.item_id,
                    campaigns.get(link.item_id),
                    link.membership_id,
                    link.network,
                )
                # A cell is one link on one day, so a newly counted click is always a new
                # visitor of its cell: clicks and unique visitors grow together.
                cells[cell].clicks += 1
                cells[cell].visitors.add(visitor)
        Click.objects.bulk_create(rows, ignore_conflicts=True, batch_size=_IN_CHUNK)
        for cell, counts in cells.items():
            rollups.rollup_add(
                organization_id=cell.organization_id,
                day=cell.day,
                item_id=cell.item_id,
                campaign_id=cell.campaign_id,
                membership_id=cell.membership_id,
                network=cell.network,
                clicks=counts.clicks,
                unique_visitors=len(counts.visitors),
            )
    return len(rows)


# --- Conversions

ATTRIBUTION_CLOCK_SKEW = dt.timedelta(minutes=5)
# At most this many conversions per click through the unsigned pixel.
PIXEL_MAX_PER_CLICK = 10
MAX_CONVERSION_VALUE = Decimal("999999999999.99")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
_EXTERNAL_ID = re.compile(r"^[\x21-\x7e]{1,120}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ConversionResult:
    conversion: Conversion
    created: bool
    attributed: bool


def _clean_conversion(
    *, external_id: str, kind: str, value: object, currency: str, at: dt.datetime | None
) -> tuple[str, str, Decimal, str, dt.datetime]:
    errors: dict[str, list[str]] = {}
    external_id = (external_id or "").strip()
    if not _EXTERNAL_ID.match(external_id):
        errors["conversion_id"] = [_("1 to 120 visible ASCII characters, without spaces.")]
    if kind not in ConversionKind.values:
        errors["kind"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(ConversionKind.values)}
        ]
    amount = Decimal(0)
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
        if not amount.is_finite() or amount < 0 or amount > MAX_CONVERSION_VALUE:
            raise InvalidOperation
        amount = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Enter an amount from 0 to 999999999999.99.")]
    currency = (currency or "").strip().upper()
    if currency and not _CURRENCY.match(currency):
        errors["currency"] = [_("Enter a three-letter currency code, e.g. EUR.")]
    now = clock.now()
    when = at or now
    if when.tzinfo is None:
        errors["at"] = [_("Enter an ISO 8601 date and time with a time zone.")]
    elif when > now + FUTURE_TOLERANCE:
        errors["at"] = [_("The conversion cannot be in the future.")]
    if errors:
        raise DomainError(_("The conversion has errors."), field_errors=errors)
    return external_id, kind, amount, currency, when


@transaction.atomic
def conversion_record(
    *,
    organization: Organization,
    external_id: str,
    kind: str,
    value: object = 0,
    currency: str = "",
    click_id: str = "",
    at: dt.datetime | None = None,
    source: str,
    require_click: bool = False,
) -> ConversionResult:
    """Record a conversion reported by the customer's site, once per (organization,
    conversion id). It is attributed to the click `click_id` (hence to its ambassador,
    item, campaign and network) when that click belongs to the organization and the
    conversion happened within the attribution window after it; otherwise it is kept
    unattributed. With `require_click` (the unsigned pixel), a conversion whose click is
    unknown is not recorded at all (NotFound). Only a new attributed conversion reaches
    the rollups."""
    external_id, kind, amount, currency, when = _clean_conversion(
        external_id=external_id, kind=kind, value=value, currency=currency, at=at
    )
    click = None
    if click_id and is_click_id(click_id):
        click = (
            Click.objects.filter(organization_id=organization.pk, click_id=click_id)
            .select_related("link__item")
            .first()
        )
    if click is None and require_click:
        raise NotFound(_("Unknown click."))
    if require_click and click is not None:
        # Unsigned reports: a click id found in a page cannot be turned into a flood of
        # conversions for one ambassador.
        reported = Conversion.objects.filter(click=click).exclude(external_id=external_id)
        if reported.count() >= PIXEL_MAX_PER_CLICK:
            raise Conflict(_("Too many conversions for this click."))
    window = dt.timedelta(days=selectors.tracking_settings_for(organization.pk).attribution_days)
    attributed = click is not None and (
        click.at - ATTRIBUTION_CLOCK_SKEW <= when <= click.at + window
    )
    try:
        with transaction.atomic():
            conversion = Conversion.objects.create(
                organization_id=organization.pk,
                external_id=external_id,
                kind=kind,
                value=amount,
                currency=currency,
                click=click if attributed else None,
                link_id=click.link_id if (attributed and click is not None) else None,
                at=when,
                source=source,
            )
    except IntegrityError:
        existing = Conversion.objects.get(organization_id=organization.pk, external_id=external_id)
        return ConversionResult(existing, created=False, attributed=existing.click_id is not None)
    if attributed and click is not None:
        rollups.rollup_add(
            organization_id=organization.pk,
            day=local_day(when),
            item_id=click.item_id_copy,
            campaign_id=click.link.item.campaign_id,
            membership_id=click.membership_id_copy,
            network=click.network,
            conversions=1,
            conversion_value=amount,
        )
    logger.info(
        "conversion_recorded org=%s conversion=%s source=%s attributed=%s",
        organization.pk,
        conversion.pk,
        source,
        attributed,
    )
    return ConversionResult(conversion, created=True, attributed=attributed)


SIGNATURE_MAX_AGE = 300  # seconds


def conversion_signature(key: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 of f"{timestamp}.{raw body}" with the organization's conversion key."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def conversion_report_authenticate(
    *, org_slug: str, timestamp: str, signature: str, body: bytes, now: float | None = None
) -> Organization:
    """The organization of a signed server-to-server report, or Unauthorized (401): stale
    or missing timestamp, unknown organization, no key, or a bad signature (the last three
    with the same message, so the answer does not tell which organizations exist)."""
    now = time.time() if now is None else now
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        sent = None
    if sent is None or abs(now - sent) > SIGNATURE_MAX_AGE:
        raise Unauthorized(
            _("Send X-Portevoix-Timestamp: the current Unix time (at most 5 minutes off).")
        )
    refused = Unauthorized(_("Invalid signature."))
    organization = Organization.objects.filter(slug=org_slug).first() if org_slug else None
    if organization is None:
        raise refused
    stored = (
        TrackingSettings.objects.filter(organization=organization)
        .values_list("conversion_key_encrypted", flat=True)
        .first()
    )
    if not stored:
        raise refused
    try:
        key = crypto.decrypt(stored)
    except crypto.DecryptionError:
        logger.error("conversion_key_undecryptable org=%s", organization.pk)
        raise refused from None
    expected = conversion_signature(key, str(sent), body)
    if not hmac.compare_digest(expected, (signature or "").strip().lower()):
        raise refused
    return organization


# --- Tracking settings


@dataclass
class TrackingData:
    utm_enabled: bool
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    fallback_url: str
    attribution_days: int


MAX_ATTRIBUTION_DAYS = 365


def _tracking_errors(data: TrackingData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content"):
        template = getattr(data, name).strip()
        if len(template) > 60:
            errors[name] = [_("At most %(max)d characters.") % {"max": 60}]
        elif bad := utm.template_errors(template):
            errors[name] = [
                _("Unknown placeholder %(found)s; use {network}, {campaign}, {ambassador}, {item}.")
                % {"found": ", ".join(bad)}
            ]
    fallback = data.fallback_url.strip()
    if fallback and (len(fallback) > 200 or utm.safe_destination(fallback) is None):
        errors["fallback_url"] = [_("Enter an http:// or https:// address.")]
    if not 1 <= data.attribution_days <= MAX_ATTRIBUTION_DAYS:
        errors["attribution_days"] = [
            _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_ATTRIBUTION_DAYS}
        ]
    return errors


@transaction.atomic
def tracking_settings_update(*, actor: Membership, data: TrackingData) -> TrackingSettings:
    require(actor, "tracking.manage")
    errors = _tracking_errors(data)
    if errors:
        raise DomainError(_("The tracking settings have errors."), field_errors=errors)
    tracking, _created = TrackingSettings.objects.select_for_update().get_or_create(
        organization_id=actor.organization_id
    )
    tracking.utm_enabled = bool(data.utm_enabled)
    tracking.utm_source = data.utm_source.strip()
    tracking.utm_medium = data.utm_medium.strip()
    tracking.utm_campaign = data.utm_campaign.strip()
    tracking.utm_content = data.utm_content.strip()
    tracking.fallback_url = data.fallback_url.strip()
    tracking.attribution_days = data.attribution_days
    tracking.save()
    return tracking


@transaction.atomic
def conversion_key_rotate(*, actor: Membership) -> str:
    """A new conversion key for the organization, returned once (only its encrypted form
    is stored); the previous key stops working at once."""
    require(actor, "tracking.manage")
    key = "pvck_" + secrets.token_urlsafe(32)
    tracking, _created = TrackingSettings.objects.select_for_update().get_or_create(
        organization_id=actor.organization_id
    )
    tracking.conversion_key_encrypted = crypto.encrypt(key)
    tracking.save(update_fields=["conversion_key_encrypted"])
    logger.info("conversion_key_rotated org=%s", actor.organization_id)
    return key
