"""The forms of drafting assistance: the organization's model, and a drafting request."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES

from .services import MAX_TIMEOUT, MIN_TIMEOUT

TONE_CHOICES = [
    ("professional", _("Professional")),
    ("friendly", _("Friendly")),
    ("enthusiastic", _("Enthusiastic")),
    ("neutral", _("Neutral")),
]
LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English"))]


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Drafting assistance is on"), required=False)
    base_url = forms.CharField(
        label=_("Base URL"),
        max_length=500,
        required=False,
        help_text=_(
            "The address of an OpenAI-compatible API, up to /v1: for example "
            "https://api.example.com/v1, or http://ollama:11434/v1 for a model on your own "
            "network (the instance's operator must allow that host)."
        ),
    )
    model = forms.CharField(
        label=_("Model"),
        max_length=200,
        required=False,
        help_text=_("The model's name on that server, for example llama3.1:8b."),
    )
    api_key = forms.CharField(
        label=_("API key"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted, never shown again. Leave empty to keep the saved key."),
    )
    remove_key = forms.BooleanField(label=_("Remove the saved key"), required=False)
    timeout_seconds = forms.IntegerField(
        label=_("Time limit (seconds)"), min_value=MIN_TIMEOUT, max_value=MAX_TIMEOUT
    )


class DraftForm(forms.Form):
    networks = forms.MultipleChoiceField(
        label=_("Networks"), choices=NETWORK_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    tone = forms.ChoiceField(label=_("Tone"), choices=TONE_CHOICES, initial="professional")
