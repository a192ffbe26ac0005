"""The forms of share of voice and benchmarks: a benchmarked account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BenchmarkKind


class BenchmarkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of account"), choices=BenchmarkKind.choices)
    handle = forms.CharField(
        label=_("Account"),
        max_length=500,
        help_text=_(
            "Bluesky: the handle (acme.bsky.social). Mastodon: user@instance "
            "(acme@mastodon.social). Blog: the address of its RSS or Atom feed."
        ),
    )
    label = forms.CharField(label=_("Name"), max_length=100)
    own = forms.BooleanField(label=_("It is our own account"), required=False)
    active = forms.BooleanField(label=_("Take a snapshot every day"), required=False)


class BenchmarkEditForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=100)
    own = forms.BooleanField(label=_("It is our own account"), required=False)
    active = forms.BooleanField(label=_("Take a snapshot every day"), required=False)
