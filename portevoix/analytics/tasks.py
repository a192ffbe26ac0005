"""Analytics' background work (thin: each task calls a service): the periodic check of the
goals, and the scheduled sending of the reports, one task per delivery."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services, services_reports


@db_task()
def check_goals() -> int:
    """Record the goals that reached their target (each once) and announce them."""
    return services.goals_check()


@db_task()
def send_due_reports() -> int:
    """Create the due report deliveries (once each) and queue each one's sending."""
    ids = services_reports.reports_prepare_due()
    for delivery_id in ids:
        send_report(delivery_id)
    return len(ids)


@db_task()
def send_report(delivery_id: int) -> str:
    """Send one report delivery (claimed once; a failure waits for its next try)."""
    return services_reports.report_delivery_send(delivery_id=delivery_id)
