"""Click ingestion: the redirect's journal lines become Click rows, counted once per
visitor, link and day, in the same transaction as their rollup cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction

from portevoix.analytics import rollups

from .. import signals
from ..codes import is_click_id, is_code
from ..models import Click, TrackedLink
from ..records import ClickRecord
from ..visitor import local_day

logger = logging.getLogger("portevoix.sharing")

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
    when it is the first of its visitor on its link that day (also across batches) and not
    the sharer's own (`own`: stored, never counted, earns nothing). The
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
        campaigns: dict[int, int | None] = {}
        for chunk in _chunks(codes):
            for values in TrackedLink.objects.filter(code__in=chunk).values_list(
                "code", "id", "organization_id", "membership_id", "item_id", "network",
                "item__campaign_id",
            ):  # fmt: skip
                links[values[0]] = _Link(*values[1:6])
                campaigns[values[4]] = values[6]
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
        counted_clicks: list[signals.CountedClick] = []
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
            counted = key not in counted_before and not record.own
            if counted:
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
                counted_clicks.append(
                    signals.CountedClick(
                        link.organization_id,
                        link.membership_id,
                        link.id,
                        link.network,
                        click_id,
                        record.at,
                    )
                )
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
        if counted_clicks:
            signals.clicks_counted.send(sender=Click, clicks=counted_clicks)
    return len(rows)
