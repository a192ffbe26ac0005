from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "portevoix.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from portevoix.accounts import signals

        from . import services

        signals.member_erasing.connect(
            services.on_member_erasing, dispatch_uid="planning_member_erasing"
        )
