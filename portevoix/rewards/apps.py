from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "portevoix.rewards"
    label = "rewards"
    verbose_name = _("Rewards")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's labels (core.audit_labels)
