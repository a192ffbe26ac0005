from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "portevoix.webhooks"
    label = "webhooks"
    verbose_name = _("Outgoing webhooks")

    def ready(self) -> None:
        from . import audit_labels, receivers

        audit_labels.register()
        receivers.connect()
