from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "portevoix.recognition"
    label = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        from portevoix.accounts import frame

        from . import receivers
        from .models import FairPlayFlag

        receivers.connect()
        # The "Fair play" count of the navigation is kept in the page frame (accounts/frame.py).
        frame.watch_organization(FairPlayFlag)
