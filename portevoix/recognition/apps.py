from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "portevoix.recognition"
    label = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
