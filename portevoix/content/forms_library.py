"""Forms of the library page: its filters and sort (from the query string), the bulk
actions on checked items, and the CSV import. They only parse: the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import LANGUAGE_CHOICES
from portevoix.core.networks import Network

from .models import ContentType
from .selectors_library import TAB_CODES, LibraryFilters, clean_sort
from .services.bulk import ACTIONS
from .services.csv_import import MAX_BYTES, MAX_ROWS

Choice = tuple[int, str]


class LibraryFilterForm(forms.Form):
    """The library's filters. A value that is not valid (an unknown campaign, a date that
    is not one...) is ignored, never an error: `filters()` keeps the others."""

    state = forms.ChoiceField(required=False, choices=[(code, code) for code in TAB_CODES])
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label=_("Type"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *LANGUAGE_CHOICES]
    )
    network = forms.ChoiceField(label=_("Network"), required=False)
    author = forms.TypedChoiceField(label=_("Author"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Published until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.CharField(required=False, max_length=20)

    def __init__(
        self,
        data: Any,
        *,
        topics: list[Choice],
        campaigns: list[Choice],
        authors: list[Choice],
    ) -> None:
        super().__init__(data)
        fields: Any = self.fields
        fields["topic"].choices = [("", _("All topics")), *topics]
        fields["campaign"].choices = [("", _("All campaigns")), *campaigns]
        fields["author"].choices = [("", _("All authors")), *authors]
        fields["network"].choices = [("", _("All networks")), *Network.LABELS.items()]
        fields["type"].choices = [("", _("All types")), *ContentType.choices]

    def _valid(self) -> dict[str, Any]:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    def filters(self) -> LibraryFilters:
        data = self._valid()
        return LibraryFilters(
            tab=data.get("state") or "",
            query=(data.get("q") or "").strip(),
            campaign_id=data.get("campaign"),
            topic_id=data.get("topic"),
            content_type=data.get("type") or "",
            language=data.get("language") or "",
            network=data.get("network") or "",
            author_id=data.get("author"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def chosen_sort(self) -> str:
        return clean_sort(self._valid().get("sort"))

    @property
    def active(self) -> bool:
        data = self._valid()
        return any(data.get(name) for name in self.fields if name not in {"state", "sort"})


class BulkForm(forms.Form):
    """The checked items and what to do with them. The campaign and topic are checked by
    the services (another organization's id is refused there, item by item)."""

    action = forms.ChoiceField(label=_("Action"), choices=list(ACTIONS.items()))
    items = forms.TypedMultipleChoiceField(coerce=int, required=False)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, topics: list[Choice], campaigns: list[Choice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["campaign"].choices = [("", _("No campaign")), *campaigns]
        fields["topic"].choices = [("", _("Choose a topic")), *topics]
        # Any id parses; the service says which ones are not found.
        fields["items"].valid_value = lambda value: str(value).isdigit()


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, values separated by commas or semicolons, at most %(kb)d KB and %(rows)d rows."
        ) % {"kb": MAX_BYTES // 1024, "rows": MAX_ROWS}
