from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying Portevoix (`manage.py load_demo`). No models."""

    name = "portevoix.demo"
    label = "demo"
    verbose_name = "Demo data"
