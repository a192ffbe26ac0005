from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "portevoix.assist"
    label = "assist"
    verbose_name = _("Drafting assistance")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()
