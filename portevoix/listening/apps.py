from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "portevoix.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()
