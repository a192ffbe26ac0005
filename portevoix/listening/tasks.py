"""Listening's background work (thin: each task calls a service; config/schedule.py runs
them periodically)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import alerts, services


@db_task()
def poll_feeds() -> int:
    """Poll the feeds that are due; returns the mentions created."""
    return services.poll_due_feeds()


@db_task()
def purge_mentions() -> int:
    """Delete the mentions older than their organization's retention."""
    return services.purge_expired()


@db_task()
def spike_alerts() -> int:
    """Judge every active monitor's last hour; returns the alerts raised."""
    return alerts.check_spikes()


@db_task()
def recount_voice() -> int:
    """Recompute the share of voice cells of today and yesterday (decision 0028)."""
    from . import voice

    return voice.recount_recent()


@db_task()
def snapshot_benchmarks() -> int:
    """Take today's snapshot of the benchmarked accounts that have none yet."""
    from . import services_benchmarks

    return services_benchmarks.snapshots_due()
