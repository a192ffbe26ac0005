from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portevoix.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import audit_labels, frame, signals

        signals.connect()
        audit_labels.register()  # the audit log's labels (core.audit_labels)
        frame.connect_receivers()
