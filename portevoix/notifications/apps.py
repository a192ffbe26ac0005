from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portevoix.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from portevoix.accounts import frame

        from . import receivers
        from .models import Notification

        receivers.connect()
        from .chat import audit_labels as chat_audit_labels
        from .chat import receivers as chat_receivers
        from .mail import audit_labels as mail_audit_labels

        chat_receivers.connect()
        chat_audit_labels.register()
        mail_audit_labels.register()
        # The bell's unread count is kept in the member's page frame (accounts/frame.py).
        frame.watch_member(Notification, fields={"read_at"})
