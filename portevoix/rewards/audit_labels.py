"""Rewards' actions and objects in words, for the audit log (registered in `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels

ACTIONS = {
    "rewards.settings": _("Rewards settings changed (%(object)s)"),
    "rewards.reward_save": _("Reward saved: %(object)s"),
    "rewards.redemption_approved": _("Reward request approved (%(object)s)"),
    "rewards.redemption_fulfilled": _("Reward given (%(object)s)"),
    "rewards.redemption_refused": _("Reward request refused (%(object)s)"),
}


def register() -> None:
    audit_labels.register_actions(ACTIONS)
    audit_labels.register_object_type("rewards.settings", _("rewards settings"))
    audit_labels.register_object_type("rewards.reward", _("reward"))
    audit_labels.register_object_type("rewards.redemption", _("reward request"))
