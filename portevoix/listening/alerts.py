"""Spike alerts (decision 0027): every hour, each active monitor's last complete hour
against its own baseline.

- Volume: the hour's mentions `n` against `m`, the median of the monitor's 168 hourly counts
  of the 7 days before (hours without a mention count as 0). An alert when
  n >= max(spike_minimum, spike_factor x m) (the organization's thresholds; 10 and 3 by
  default).
- Negative sentiment: among the hour's mentions with a sentiment, the share of negative ones
  against the same share over the 7 days before. An alert when at least `negative_minimum`
  (5) mentions of the hour are negative and their share is at least `negative_rise` (25)
  points above the baseline's.

Counted by publication time, from one grouped query per organization (monitor, hour,
sentiment). A `SpikeAlert` row is created once per monitor, kind and hour (unique
constraint): a retry, or a second worker, adds nothing and notifies nobody twice. The
notice goes, once the row is kept, through `core.signals.listening_alert`: the
notifications app tells the community managers and admins (in-app, email, Slack/Teams).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils.translation import gettext as _

from portevoix.core import clock
from portevoix.core import signals as core_signals
from portevoix.core.tenancy import scoped

from .models import AlertKind, Mention, Monitor, SpikeAlert
from .services_vigilance import AlertSettings, alert_settings

log = logging.getLogger(__name__)

BASELINE_HOURS = 7 * 24
HOUR = dt.timedelta(hours=1)


@dataclass
class _Hours:
    """One monitor's counts by hour: all mentions, negative ones, those with a sentiment."""

    total: dict[dt.datetime, int] = field(default_factory=lambda: defaultdict(int))
    negative: dict[dt.datetime, int] = field(default_factory=lambda: defaultdict(int))
    rated: dict[dt.datetime, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class Verdict:
    kind: str
    count: int
    baseline: float
    negatives: int = 0
    negative_share: float = 0.0
    baseline_share: float = 0.0


def hour_start(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def judge(hours: _Hours, hour: dt.datetime, settings: AlertSettings) -> list[Verdict]:
    """The spike rules on one monitor's hourly counts (pure)."""
    window = [hour - HOUR * step for step in range(BASELINE_HOURS, 0, -1)]
    median = float(statistics.median(hours.total.get(h, 0) for h in window))
    count = hours.total.get(hour, 0)
    verdicts = []
    if count >= max(settings.spike_minimum, settings.spike_factor * median):
        verdicts.append(Verdict(AlertKind.VOLUME, count, median))
    negatives, rated = hours.negative.get(hour, 0), hours.rated.get(hour, 0)
    base_negative = sum(hours.negative.get(h, 0) for h in window)
    base_rated = sum(hours.rated.get(h, 0) for h in window)
    share = negatives / rated if rated else 0.0
    base_share = base_negative / base_rated if base_rated else 0.0
    if negatives >= settings.negative_minimum and (
        share * 100 >= base_share * 100 + settings.negative_rise
    ):
        verdicts.append(
            Verdict(
                AlertKind.NEGATIVE, count, median, negatives, round(share, 4), round(base_share, 4)
            )
        )
    return verdicts


def _counts(organization_id: int, monitor_ids: list[int], hour: dt.datetime) -> dict[int, _Hours]:
    start = hour - HOUR * BASELINE_HOURS
    rows = (
        scoped(Mention, organization_id)
        .filter(monitors__id__in=monitor_ids, published_at__gte=start, published_at__lt=hour + HOUR)
        .annotate(slot=TruncHour("published_at", tzinfo=dt.UTC))
        .values("monitors__id", "slot", "sentiment")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[int, _Hours] = defaultdict(_Hours)
    for row in rows:
        hours, slot, n = found[row["monitors__id"]], hour_start(row["slot"]), row["n"]
        hours.total[slot] += n
        if row["sentiment"]:
            hours.rated[slot] += n
        if row["sentiment"] == "negative":
            hours.negative[slot] += n
    return found


def check_organization(organization_id: int, hour: dt.datetime, now: dt.datetime) -> int:
    """Judge the organization's active monitors on `hour`; returns the alerts created."""
    monitors = {m.pk: m for m in scoped(Monitor, organization_id).filter(active=True)}
    if not monitors:
        return 0
    settings = alert_settings(organization_id)
    counts = _counts(organization_id, list(monitors), hour)
    created = 0
    for monitor_id, hours in sorted(counts.items()):
        for verdict in judge(hours, hour, settings):
            created += _raise(monitors[monitor_id], hour, verdict, now)
    return created


def check_spikes(*, now: dt.datetime | None = None) -> int:
    """The periodic job: the last complete hour of every organization's active monitors."""
    now = now or clock.now()
    hour = hour_start(now) - HOUR
    organizations = sorted(
        set(Monitor.objects.filter(active=True).values_list("organization_id", flat=True))
    )
    created = 0
    for organization_id in organizations:
        try:
            created += check_organization(organization_id, hour, now)
        except Exception:  # one organization's failure does not stop the others
            log.exception("listening_spikes_failed", extra={"organization_id": organization_id})
    return created


def _raise(monitor: Monitor, hour: dt.datetime, verdict: Verdict, now: dt.datetime) -> int:
    try:
        with transaction.atomic():
            alert = SpikeAlert.objects.create(
                organization_id=monitor.organization_id,
                monitor=monitor,
                kind=verdict.kind,
                hour=hour,
                count=verdict.count,
                baseline=verdict.baseline,
                negatives=verdict.negatives,
                negative_share=verdict.negative_share,
                baseline_share=verdict.baseline_share,
                created_at=now,
            )
            transaction.on_commit(functools.partial(announce, alert, monitor.name))
    except IntegrityError:
        return 0  # raised already (a retry, or another worker)
    return 1


def pause_reason(alert: SpikeAlert, monitor_name: str) -> str:
    """The crisis pause's prefilled reason, in the active language."""
    if alert.kind == AlertKind.NEGATIVE:
        text = _("Listening alert: negative mentions of “%(monitor)s” rose sharply (%(hour)s UTC).")
    else:
        text = _("Listening alert: spike of mentions of “%(monitor)s” (%(hour)s UTC).")
    return text % {"monitor": monitor_name[:80], "hour": f"{alert.hour:%Y-%m-%d %H:00}"}


def pause_path(alert: SpikeAlert, monitor_name: str) -> str:
    query = urlencode({"reason": pause_reason(alert, monitor_name)})
    return f"{reverse('publishing:pause')}?{query}"


def announce(alert: SpikeAlert, monitor_name: str) -> None:
    """Tell the notifications app (through core's signal: it may not import listening)."""
    core_signals.listening_alert.send(
        None,
        organization_id=alert.organization_id,
        alert_id=alert.pk,
        kind=str(alert.kind),
        monitor=monitor_name,
        hour=alert.hour,
        count=alert.count,
        baseline=alert.baseline,
        negatives=alert.negatives,
        negative_share=alert.negative_share,
        baseline_share=alert.baseline_share,
        alerts_path=reverse("listening:alerts"),
        pause_path=reverse("publishing:pause"),
    )
