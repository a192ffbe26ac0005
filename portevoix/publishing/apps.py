from django.apps import AppConfig


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portevoix.publishing"
    label = "publishing"
    verbose_name = "Publishing"
