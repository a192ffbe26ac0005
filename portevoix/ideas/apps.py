from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "portevoix.ideas"
    label = "ideas"
    verbose_name = _("Idea box")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()
