"""The forms of listening: a monitor, a feed, the retention, the inbox filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import LANGUAGES, FeedKind, MastodonStream, MentionStatus, MonitorCategory


def lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]


class MonitorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(
        label=_("What it watches"),
        choices=MonitorCategory.choices,
        initial=MonitorCategory.BRAND,
        required=False,
        help_text=_("Share of voice sets your brand against your competitors."),
    )
    terms = forms.CharField(
        label=_("Keywords and phrases"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line (or separated by commas). Accents and capitals do not matter; "
            "whole words only, plurals included."
        ),
    )
    exclusions = forms.CharField(
        label=_("Exclusions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A text holding one of these is not a mention of this monitor."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every language."),
    )
    active = forms.BooleanField(
        label=pgettext_lazy("a monitor or a source", "Active"), required=False
    )


class SourceAddressField(forms.URLField):
    """An address of a source: http(s), or ws(s) for a Bluesky host's firehose (the service
    checks which scheme fits the kind, and that the host is public)."""

    default_validators = [URLValidator(schemes=["http", "https", "ws", "wss"])]


class FeedForm(forms.Form):
    """A source. The Reddit search is offered only when the organization has entered its
    own Reddit app (`reddit=True`, decision 0032)."""

    kind = forms.ChoiceField(
        label=_("Kind of source"), choices=FeedKind.choices, required=False, initial="rss"
    )
    url = SourceAddressField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        required=False,
        help_text=_(
            "An RSS or Atom feed on the internet (https://), the Mastodon instance "
            "(https://mastodon.social), or for Bluesky a relay or a PDS (wss://bsky.network). "
            "None for Hacker News."
        ),
    )
    query = forms.CharField(
        label=_("Search or hashtag"),
        max_length=200,
        required=False,
        help_text=_(
            "Hacker News: what to search (empty: the keywords of the active monitors). "
            "Mastodon: the hashtag, without #. Reddit: what to search (empty: every new "
            "post of the subreddit)."
        ),
    )
    subreddit = forms.CharField(
        label=_("Subreddit"),
        max_length=30,
        required=False,
        help_text=_("Reddit only: search in this subreddit only (its name, without r/)."),
    )
    stream = forms.ChoiceField(
        label=_("Mastodon stream"),
        choices=[("", "—"), *MastodonStream.choices],
        required=False,
        help_text=_(
            "For a Mastodon stream: a hashtag (given above), the public timeline, or "
            "the account's home."
        ),
    )
    token = forms.CharField(
        label=_("Access token of the account"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "For a Mastodon stream or followed accounts: a token of an account of the "
            "instance with the read scope (Preferences, Development). Kept encrypted, never "
            "shown again; leave empty to keep the saved one."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    interval_minutes = forms.IntegerField(
        label=_("Check every (minutes)"), min_value=5, max_value=1440, initial=30
    )
    active = forms.BooleanField(
        label=pgettext_lazy("a monitor or a source", "Active"), required=False
    )
    curate = forms.BooleanField(
        label=_("Propose its entries for the library"),
        required=False,
        help_text=_(
            "Sector watch: each new entry waits in Curation, where a content manager can make "
            "it a third-party news draft credited to this source."
        ),
    )

    def __init__(self, *args: Any, reddit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not reddit:
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = [c for c in FeedKind.choices if c[0] != FeedKind.REDDIT]


class RedditAppForm(forms.Form):
    """The organization's own Reddit app (decision 0032)."""

    client_id = forms.CharField(
        label=_("Client id"),
        max_length=100,
        help_text=_("Shown under your app's name on reddit.com/prefs/apps."),
    )
    client_secret = forms.CharField(
        label=_("Secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted, never shown again. Leave empty to keep the saved secret."),
    )
    user_agent = forms.CharField(
        label=_("User-Agent"),
        max_length=200,
        help_text=_(
            "Reddit asks every app to name itself and its Reddit account, for example "
            "web:com.example.listening:v1.0 (by /u/your_account)."
        ),
    )


class RetentionForm(forms.Form):
    retention_days = forms.IntegerField(
        label=_("Keep mentions for (days)"), min_value=1, max_value=730
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=MentionStatus.choices)
