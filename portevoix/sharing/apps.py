from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "portevoix.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's labels (core.audit_labels)
