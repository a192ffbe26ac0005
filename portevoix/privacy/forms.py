"""The erasure page's one setting: how many days after leaving a person's data is erased."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 3650


class ErasureDelayForm(forms.Form):
    erase_after_days = forms.IntegerField(
        label=_("Erase the data of people who left after (days)"),
        min_value=0,
        max_value=MAX_DAYS,
        help_text=_("0: never automatically; an administrator can still erase by hand."),
    )
