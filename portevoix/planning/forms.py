from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MoveForm(forms.Form):
    """The "Move to" form of a calendar entry: a local date and time (`datetime-local`)."""

    publish_at = forms.DateTimeField(
        label=_("Move to"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
    )
    next = forms.CharField(required=False, max_length=2000)
