from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models_mail import DigestFrequency


class EmailPreferencesForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("Digest of new content by email"),
        choices=DigestFrequency.choices,
        help_text=_("Only when there is something new you have not shared yet."),
    )
    important = forms.BooleanField(
        label=_("Email me at once when important content is live"), required=False
    )
