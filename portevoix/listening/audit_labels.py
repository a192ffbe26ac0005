"""The audit log's words for listening (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels


def register() -> None:
    audit_labels.register_actions(
        {
            "listening.monitor_created": _("Monitor added (%(object)s)"),
            "listening.monitor_changed": _("Monitor changed (%(object)s)"),
            "listening.feed_created": _("Feed added (%(object)s)"),
            "listening.feed_changed": _("Feed changed (%(object)s)"),
            "listening.mention_status": _("Mention marked (%(object)s)"),
            "listening.retention_changed": _("Mention retention changed (%(object)s)"),
            "listening.proposal_accepted": _("Curated entry made a draft (%(object)s)"),
            "listening.proposal_dismissed": _("Curated entry set aside (%(object)s)"),
            "listening.mention_assigned": _("Mention assigned (%(object)s)"),
            "listening.alerts_changed": _("Listening alert thresholds changed (%(object)s)"),
            "listening.benchmark_created": _("Benchmarked account added (%(object)s)"),
            "listening.benchmark_changed": _("Benchmarked account changed (%(object)s)"),
            "listening.benchmark_deleted": _("Benchmarked account removed (%(object)s)"),
            "listening.reddit_saved": _("Reddit app saved (%(object)s)"),
            "listening.reddit_removed": _("Reddit app removed, its sources paused (%(object)s)"),
        }
    )
    audit_labels.register_object_type("listening_monitor", _("monitor"))
    audit_labels.register_object_type("listening_feed", _("feed"))
    audit_labels.register_object_type("listening_mention", _("mention"))
    audit_labels.register_object_type("listening_policy", _("listening settings"))
    audit_labels.register_object_type("listening_proposal", _("curated entry"))
    audit_labels.register_object_type("listening_benchmark", _("benchmarked account"))
    audit_labels.register_object_type("listening_reddit", _("Reddit app"))
