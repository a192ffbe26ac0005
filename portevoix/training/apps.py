from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "portevoix.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from portevoix.core import goal_metrics

        from .selectors import reports

        goal_metrics.register(
            "certified_ambassadors",
            _("Certified ambassadors"),
            reports.certified_count,
            kind="level",
        )
