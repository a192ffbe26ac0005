"""Every write of rewards: the catalogue, the organization's settings, the redemptions."""

from .catalogue import RewardData, SettingsData, reward_save, settings_of, settings_update
from .redemptions import (
    redemption_approve,
    redemption_cancel,
    redemption_fulfil,
    redemption_refuse,
    redemption_request,
)

__all__ = [
    "RewardData",
    "SettingsData",
    "redemption_approve",
    "redemption_cancel",
    "redemption_fulfil",
    "redemption_refuse",
    "redemption_request",
    "reward_save",
    "settings_of",
    "settings_update",
]
