from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IdeaKind, IdeaStatus
from .services.posting import MAX_BODY, MAX_COMMENT, MAX_IMAGES, MAX_TITLE
from .services.triage import MAX_REASON


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; each is checked by the service (type, size, count)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class IdeaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of idea"), choices=IdeaKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Your idea"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Content to share only: the page to share."),
    )
    images = MultipleImageField(
        label=_("Images"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text=_("Content to share only: up to %(count)d images (JPEG, PNG, GIF or WebP).")
        % {"count": MAX_IMAGES},
    )


class FilterForm(forms.Form):
    """The list's filters, from the query string (unknown values fall back)."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Every kind")), *IdeaKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *IdeaStatus.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("votes", _("Most voted")), ("new", _("Newest"))],
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it declined?"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the author reads it."),
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=_("Merge into"), coerce=int, choices=[])

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", _("Choose an idea")), *targets]  # type: ignore[attr-defined]
