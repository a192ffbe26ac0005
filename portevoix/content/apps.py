from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "portevoix.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from .feed_cache import connect_receivers

        connect_receivers()
