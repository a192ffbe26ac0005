from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "portevoix.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from portevoix.accounts import frame
        from portevoix.core import goal_metrics

        from .models import Certificate, Course, Event
        from .selectors import reports

        goal_metrics.register(
            "certified_ambassadors",
            _("Certified ambassadors"),
            reports.certified_count,
            kind="level",
        )
        # The sharing gates banner (required courses) is kept in the page frame
        # (accounts/frame.py).
        frame.watch_organization(Course)
        # The team's calendar (a page body keyed on the organization's frame version,
        # docs/decisions/0036-page-body-cache.md) lists the events.
        frame.watch_organization(Event)
        frame.watch_member(Certificate)
