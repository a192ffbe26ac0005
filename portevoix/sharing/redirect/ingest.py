"""Turn journal lines into Click rows, in batches, idempotently."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from portevoix.sharing.records import ClickRecord

from .classify import is_bot, referrer_network
from .journal import IngesterLock, JournalReader, parse_line

logger = logging.getLogger("portevoix.clicks")


@dataclass
class IngestReport:
    lines: int = 0
    malformed: int = 0
    inserted: int = 0
    segments_done: int = 0


def journal_dir() -> Path:
    return Path(settings.CLICK_JOURNAL_DIR)


def ingest_once(reader: JournalReader, *, batch_size: int = 2000) -> IngestReport:
    """Read every segment once; hand complete lines to the sharing service in batches."""
    from portevoix.sharing import services

    report = IngestReport()
    if not connection.in_atomic_block:
        close_old_connections()
    reader.sweep_unmade()
    for path in reader.segments():
        while True:
            records: list[ClickRecord] = []
            last_end = None
            for offset, raw in reader.read(path, max_lines=batch_size):
                last_end = offset + len(raw) + 1
                report.lines += 1
                line = parse_line(path.name, offset, raw)
                if line is None:
                    report.malformed += 1
                    continue
                records.append(
                    ClickRecord(
                        journal_key=line.key,
                        code=line.code,
                        at=line.at,
                        visitor=line.visitor,
                        bot=is_bot(line.user_agent),
                        head=line.head,
                        referrer_network=referrer_network(line.referrer_host),
                        country=line.country,
                        click_id=line.click_id,
                        own=line.own,
                    )
                )
            if last_end is None:
                break
            if records:
                # One transaction per batch; a crash before it commits replays the batch.
                report.inserted += services.clicks_ingest(records)
            reader.advance(path, last_end)
        if reader.finish_if_done(path):
            report.segments_done += 1
    if report.malformed:
        logger.warning("click journal: %d malformed line(s) skipped", report.malformed)
    return report


def run(
    *,
    follow: bool,
    interval: float = 1.0,
    stop: object | None = None,
    directory: Path | None = None,
) -> IngestReport:
    """Ingest the journal directory once, or keep following it until `stop` is set."""
    import threading
    import time

    directory = directory or journal_dir()
    lock = IngesterLock(directory)
    if not lock.acquire():
        raise RuntimeError(f"another click ingester is running on {directory}")
    reader = JournalReader(directory)
    total = IngestReport()
    stop_event = stop if isinstance(stop, threading.Event) else threading.Event()
    try:
        while True:
            report = ingest_once(reader)
            total.lines += report.lines
            total.malformed += report.malformed
            total.inserted += report.inserted
            total.segments_done += report.segments_done
            if not follow or stop_event.is_set():
                return total
            time.sleep(interval)
    finally:
        lock.release()
