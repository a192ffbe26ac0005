from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "portevoix.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from portevoix.accounts import frame

        from . import audit_labels, receivers
        from .models import Goal

        receivers.connect()
        # The dashboard's body is kept (docs/decisions/0036-page-body-cache.md), keyed on
        # the organization's frame version: its goals move it (and the KPI settings'
        # service, not their first reading, which makes the row).
        frame.watch_organization(Goal)
        audit_labels.register()
