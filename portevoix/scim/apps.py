from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScimConfig(AppConfig):
    name = "portevoix.scim"
    label = "scim"
    verbose_name = _("Directory provisioning (SCIM)")

    def ready(self) -> None:
        from portevoix.accounts import signals

        from . import audit_labels
        from .services import erasure

        audit_labels.register()  # the audit log's labels (core.audit_labels)
        # No app imports scim: an erasure reaches its rows through accounts' signal.
        signals.member_erasing.connect(
            erasure.on_member_erasing, dispatch_uid="scim_member_erasing"
        )
