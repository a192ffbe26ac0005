"""Forms of the Slack and Teams page and of the email signature settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models_chat import ChatEvent, ChatKind


class ConnectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tool"), choices=ChatKind.choices)
    name = forms.CharField(
        label=_("Channel"),
        max_length=80,
        help_text=_("How you call it here, for example #ambassadors."),
    )
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=2000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Slack: an incoming webhook (https://hooks.slack.com/services/…). Teams: the "
            "address of an incoming webhook or of a Workflows “post to a channel” flow. "
            "Stored encrypted; never shown again."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("What this channel receives"),
        choices=ChatEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["webhook_url"].help_text = _(
                "Leave empty to keep the current address. A new address turns the channel on."
            )


class SlackAppForm(forms.Form):
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Slack app > Basic Information > App Credentials. Leave empty to keep it."),
    )
    bot_token = forms.CharField(
        label=_("Bot token"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Slack app > OAuth & Permissions (xoxb-…, scopes users:read and users:read.email)."
        ),
    )
    clear = forms.BooleanField(label=_("Forget both"), required=False)


class SignatureSettingsForm(forms.Form):
    website_url = forms.CharField(label=_("Website"), max_length=500, required=False)
    linkedin_url = forms.CharField(label=_("LinkedIn page"), max_length=500, required=False)
    x_url = forms.CharField(label=_("X profile"), max_length=500, required=False)
    facebook_url = forms.CharField(label=_("Facebook page"), max_length=500, required=False)
    instagram_url = forms.CharField(label=_("Instagram profile"), max_length=500, required=False)
    youtube_url = forms.CharField(label=_("YouTube channel"), max_length=500, required=False)
    banner_image_url = forms.CharField(
        label=_("Banner image address"),
        max_length=500,
        required=False,
        help_text=_("An image on your website, about 600 x 120 pixels (https://…)."),
    )
    banner_alt = forms.CharField(
        label=_("Banner text for screen readers"), max_length=200, required=False
    )
    banner_item = forms.TypedChoiceField(
        label=_("The banner leads to"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Content of the current campaign: each ambassador's own tracked link to it."),
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["banner_item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No link")), *items]
