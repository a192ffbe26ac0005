from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "portevoix.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's labels (core.audit_labels)
