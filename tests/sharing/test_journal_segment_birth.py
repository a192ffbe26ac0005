"""A new journal segment is never seen by the ingester before its writer holds it: it is
made locked under a name the ingester does not read, then renamed. Before, the ingester
could find the new empty file between its creation and its lock, take it for a closed,
fully read segment and delete it; every click the process wrote next went to a deleted
file (a flake of tests/core/test_two_hosts.py: one host's clicks all missing)."""

from __future__ import annotations

import fcntl
import os
import time

from portevoix.sharing.redirect import journal
from portevoix.sharing.redirect.journal import JournalReader, JournalWriter


def test_the_ingester_between_a_segments_creation_and_its_lock_loses_nothing(tmp_path, monkeypatch):
    reader = JournalReader(tmp_path)
    real_flock = fcntl.flock
    swept: list[int] = []

    def flock_after_a_sweep(fd: int, operation: int) -> None:
        # The ingester's pass, at the worst moment: the writer has made its file, not yet
        # locked it.
        if operation == fcntl.LOCK_EX | fcntl.LOCK_NB and not swept:
            swept.append(1)
            for path in reader.segments():
                reader.finish_if_done(path)
        real_flock(fd, operation)

    monkeypatch.setattr(journal.fcntl, "flock", flock_after_a_sweep)
    writer = JournalWriter(tmp_path, segment_seconds=3600, segment_bytes=1 << 20)
    writer.write("first\n")
    writer.write("second\n")
    assert swept
    lines = [raw for path in reader.segments() for _, raw in reader.read(path, max_lines=10)]
    assert lines == [b"first", b"second"]
    writer.close()


def test_only_finished_segments_are_named_for_the_ingester(tmp_path):
    writer = JournalWriter(tmp_path, segment_seconds=3600, segment_bytes=1 << 20)
    writer.write("one\n")
    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].endswith(journal.SUFFIX)
    reader = JournalReader(tmp_path)
    (path,) = reader.segments()
    assert not reader.finish_if_done(path)  # held by its writer
    writer.close()
    assert [raw for _, raw in reader.read(path, max_lines=10)] == [b"one"]


def test_a_segment_left_half_made_is_swept_once_old(tmp_path):
    old = tmp_path / f"host-1-1-1{journal.SUFFIX}{journal.MAKING}"
    young = tmp_path / f"host-2-2-2{journal.SUFFIX}{journal.MAKING}"
    old.touch()
    young.touch()
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    reader = JournalReader(tmp_path)
    assert reader.segments() == []  # never read as a segment
    assert reader.sweep_unmade() == 1
    assert not old.exists() and young.exists()
