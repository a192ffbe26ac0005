from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DirectoryTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Where the token is used, e.g. “Okta” or “Entra ID”."),
    )


class BrakeForm(forms.Form):
    brake_percent = forms.IntegerField(
        label=_("Largest share of active members a sync may deactivate (%)"),
        min_value=1,
        max_value=100,
    )
    brake_window_hours = forms.IntegerField(
        label=_("Within (hours)"),
        min_value=1,
        max_value=720,
        help_text=_(
            "Beyond this share within this window, the deactivations wait for an "
            "administrator's confirmation here."
        ),
    )
