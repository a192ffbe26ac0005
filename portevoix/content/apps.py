from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "portevoix.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from . import audit_labels
        from .feed_cache import connect_receivers, ride

        audit_labels.register()  # the audit log's labels (core.audit_labels)
        connect_receivers()  # the feed's cache version moves on every content write
        ride()  # the feed's version read with every request's membership
