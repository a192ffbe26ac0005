from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "portevoix.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from . import audit_labels, receivers

        audit_labels.register()
        receivers.connect()
