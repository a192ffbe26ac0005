from django.apps import AppConfig


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portevoix.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's labels (core.audit_labels)
