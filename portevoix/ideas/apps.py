from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "portevoix.ideas"
    label = "ideas"
    verbose_name = _("Idea box")

    def ready(self) -> None:
        from portevoix.core import goal_metrics

        from . import audit_labels, selectors

        audit_labels.register()
        goal_metrics.register("ideas_accepted", _("Ideas accepted"), selectors.accepted_count)
