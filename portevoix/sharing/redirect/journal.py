"""The click journal: append-only segment files, one writer per process, one ingester.

Writer (the redirect, in each web process): a click is one line appended with a single
write() to an O_APPEND file that the process holds locked (flock). When write() has
returned, the line is in the kernel's page cache: killing the process (even SIGKILL) right
after the 302 cannot lose it. The segment is closed and a new one started after
`CLICK_SEGMENT_SECONDS` or `CLICK_SEGMENT_BYTES`; a new segment is made and locked under a
name the ingester ignores, then renamed, so the ingester never meets one not yet held.

Ingester (`manage.py ingest_clicks`, one per journal directory, itself under a lock): reads
the complete lines of every segment, hands them to `sharing.services.clicks_ingest` in
batches (idempotent: each line's key is `<segment>:<offset>`, so a crash in the middle of a
batch and a replay insert nothing twice), and deletes a segment once it is fully ingested
and no live process holds it (closed, or left by a killed process).

Line format (tab-separated, no raw IP): ms since epoch, code, visitor hash, click id,
HEAD flag, referrer host, country, user agent (for bot detection at ingestion), own-click
flag ("1": the sharer's own browser, docs/decisions/0005; absent in older lines).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".clicks"
# A segment being made (before its writer holds it): never read by the ingester.
MAKING = ".making"
_UNSAFE = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def clean_field(value: str, limit: int) -> str:
    return value[:limit].translate(_UNSAFE)


class JournalWriter:
    """Appends click lines for one process. Thread-safe; reopens after fork."""

    def __init__(self, directory: Path, *, segment_seconds: float, segment_bytes: int):
        self.directory = Path(directory)
        self.segment_seconds = segment_seconds
        self.segment_bytes = segment_bytes
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._opened_at = 0.0
        self._size = 0
        self._seq = 0
        # After fork the inherited descriptor (and its lock) belong to the parent.
        os.register_at_fork(after_in_child=self._forget_after_fork)

    def _forget_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._fd = None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._pid = os.getpid()
        self._seq += 1
        name = f"{socket.gethostname()}-{self._pid}-{time.time_ns()}-{self._seq}{SUFFIX}"
        # Made and locked under a name the ingester does not read, then renamed (the lock
        # stays with the open file): the ingester never sees a segment its writer does not
        # hold yet, which it would take for a closed, fully read one and delete.
        making = self.directory / f"{name}{MAKING}"
        fd = os.open(making, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # unseen by others: never contended
            os.rename(making, self.directory / name)
        except OSError:
            os.close(fd)
            making.unlink(missing_ok=True)
            raise
        self._fd = fd
        self._opened_at = time.monotonic()
        self._size = 0

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock: the segment is now closed
            self._fd = None

    def write(self, line: str) -> None:
        data = line.encode("utf-8", "replace")
        with self._lock:
            if self._fd is None:
                self._open()
            elif self._size and (
                self._size >= self.segment_bytes
                or time.monotonic() - self._opened_at >= self.segment_seconds
            ):
                self._close()
                self._open()
            assert self._fd is not None
            written = os.write(self._fd, data)
            if written != len(data):  # pragma: no cover - disk full: fail loudly
                raise OSError(f"short write to the click journal ({written}/{len(data)})")
            self._size += written

    def close(self) -> None:
        with self._lock:
            self._close()


@dataclass(frozen=True)
class JournalLine:
    key: str
    at: dt.datetime
    code: str
    visitor: str
    click_id: str
    head: bool
    referrer_host: str
    country: str
    user_agent: str
    own: bool = False


def parse_line(segment: str, offset: int, raw: bytes) -> JournalLine | None:
    """One journal line, or None when it is malformed (counted and skipped by the caller)."""
    try:
        fields = raw.decode("utf-8").split("\t")
        own = len(fields) == 9 and fields.pop() == "1"
        ms, code, visitor, click_id, head, referrer, country, ua = fields
        at = dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    return JournalLine(
        key=f"{segment}:{offset}", at=at, code=code, visitor=visitor, click_id=click_id,
        head=head == "1", referrer_host=referrer, country=country, user_agent=ua, own=own,
    )  # fmt: skip


def _is_held(path: Path) -> bool:
    """True while a live process holds the segment open for writing."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we may have taken
    return False


class JournalReader:
    """Reads complete lines from the segments of a directory, remembering how far it got."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.offsets: dict[str, int] = {}

    def segments(self) -> list[Path]:
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime_ns)

    def sweep_unmade(self, *, older_than: float = 60.0) -> int:
        """Delete the segments left half-made (a writer killed between making its file and
        renaming it: an empty file) once they are older than `older_than` seconds and held
        by no one. Younger ones are never touched: their writer may be about to lock them."""
        if not self.directory.exists():
            return 0
        swept = 0
        for path in self.directory.glob(f"*{SUFFIX}{MAKING}"):
            try:
                age = time.time() - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age > older_than and not _is_held(path):
                path.unlink(missing_ok=True)
                swept += 1
        return swept

    def read(self, path: Path, *, max_lines: int) -> Iterator[tuple[int, bytes]]:
        """(offset, line without newline) for complete lines after the remembered offset."""
        start = self.offsets.get(path.name, 0)
        with open(path, "rb") as handle:
            handle.seek(start)
            offset = start
            for count, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    break  # a line still being written (or cut by a crash): not yet
                yield offset, raw[:-1]
                offset += len(raw)
                if count >= max_lines:
                    break

    def advance(self, path: Path, offset: int) -> None:
        self.offsets[path.name] = offset

    def finish_if_done(self, path: Path) -> bool:
        """Delete a segment that no process holds any more and that is fully read."""
        if _is_held(path):
            return False
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            self.offsets.pop(path.name, None)
            return True
        if self.offsets.get(path.name, 0) < size:
            # Re-check: a trailing partial line left by a killed writer will never complete.
            with open(path, "rb") as handle:
                handle.seek(self.offsets.get(path.name, 0))
                rest = handle.read()
            if b"\n" in rest:
                return False
        path.unlink(missing_ok=True)
        self.offsets.pop(path.name, None)
        return True


class IngesterLock:
    """Only one ingester per journal directory."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "ingester.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
