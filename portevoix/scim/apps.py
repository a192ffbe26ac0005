from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScimConfig(AppConfig):
    name = "portevoix.scim"
    label = "scim"
    verbose_name = _("Directory provisioning (SCIM)")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's labels (core.audit_labels)
