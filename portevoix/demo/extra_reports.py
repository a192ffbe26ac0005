"""Demo reports: the weekly team report goes to the analyst and the executive every Monday
at 8:00, the monthly management report to the executive on the 2nd at 8:00, set through
the service by the demo's administrator (so the audit log shows it). Nothing is sent
while loading: the hourly task sends them when their moment comes, to the demo's own
addresses (the console email backend in `make run`)."""

from __future__ import annotations

from portevoix.accounts.models import Membership, Organization
from portevoix.analytics import services_reports
from portevoix.core.tenancy import scoped

from . import data


def load(org: Organization) -> None:
    people = {
        m.user.email: m
        for m in scoped(Membership, org)
        .select_related("user", "organization")
        .filter(user__email__in=[data.ADMIN, data.ANALYST, data.EXECUTIVE])
    }
    admin = people[data.ADMIN]
    for kind, recipients, weekday, day in (
        ("weekly", [data.ANALYST, data.EXECUTIVE], 0, 1),
        ("monthly", [data.EXECUTIVE], 0, 2),
    ):
        services_reports.report_schedule_set(
            actor=admin,
            kind=kind,
            data=services_reports.ScheduleData(
                enabled=True,
                weekday=weekday,
                day=day,
                hour=8,
                recipient_ids=[people[email].pk for email in recipients],
            ),
        )
