from django.apps import AppConfig


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portevoix.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from portevoix.accounts import frame

        from . import audit_labels
        from .models import Connection, CrisisPause

        audit_labels.register()  # the audit log's labels (core.audit_labels)
        # What the page frame (accounts/frame.py) keeps: the pause banner, whether a member
        # has an account for the feed cards' actions.
        frame.watch_organization(CrisisPause)
        frame.watch_member(Connection)
