"""Forms of the content web UI. They only parse: every business rule lives in services.

A service refuses with `DomainError.field_errors` keyed by service names (`campaign_id`,
`copies.3.text`...); `core.web.apply_domain_error` with `ItemForm.domain_field` puts each
message next to the field it concerns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import LANGUAGE_CHOICES
from portevoix.core.networks import LIMITS, UNITS, Network

from .models import Campaign, ContentItem, ContentType, Topic
from .selectors import FeedFilters
from .services import CopyData, ItemData

# Without JavaScript the editor offers this many text areas per network; the editor
# script adds more on demand, up to MAX_VARIANTS.
DEFAULT_SLOTS = 2
MAX_VARIANTS = 10
_COPY_FIELD = re.compile(r"^copy_(?P<network>[a-z]+)_(?P<index>\d{1,2})$")

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

UNIT_LABELS = {
    "characters": _("characters"),
    "weighted characters": _("weighted characters"),
    "graphemes": _("graphemes"),
}


def copy_field_name(network: str, index: int) -> str:
    return f"copy_{network}_{index}"


def _datetime_local() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


@dataclass
class CopySlot:
    """One text area of the editor: a possible variant of the copy for one network."""

    network: str
    index: int
    field: forms.BoundField

    @property
    def counter_id(self) -> str:
        return f"counter_{self.network}_{self.index}"


@dataclass
class NetworkGroup:
    network: str
    label: str
    limit: int
    unit: str
    slots: list[CopySlot]

    @property
    def next_index(self) -> int:
        return max((slot.index for slot in self.slots), default=0) + 1

    @property
    def can_add(self) -> bool:
        return len(self.slots) < MAX_VARIANTS


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=400)
    body = forms.CharField(
        label=_("Body"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [a link](https://example.org), lists."),
    )
    link = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    topics = forms.TypedMultipleChoiceField(
        label=_("Topics"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    content_type = forms.ChoiceField(
        label=_("Content type"), choices=ContentType.choices, initial=ContentType.COMPANY_NEWS
    )
    priority = forms.IntegerField(
        label=_("Priority"),
        required=False,
        initial=0,
        help_text=_("From -100 to 100; higher comes first in the feed."),
    )
    important = forms.BooleanField(label=_("Important"), required=False)
    featured = forms.BooleanField(label=_("Featured"), required=False)
    publish_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=_datetime_local()
    )
    expire_at = forms.DateTimeField(label=_("Expire at"), required=False, widget=_datetime_local())

    # Service error keys that are not the form's field names.
    ERROR_FIELDS = {"campaign_id": "campaign", "topic_ids": "topics"}

    def __init__(
        self,
        *args: Any,
        topics: list[Topic],
        campaigns: list[Campaign],
        item: ContentItem | None = None,
        **kwargs: Any,
    ):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(item)
        super().__init__(*args, **kwargs)
        tz_name = timezone.get_current_timezone_name()
        for name in ("publish_at", "expire_at"):
            self.fields[name].help_text = _("Time zone: %(tz)s.") % {"tz": tz_name}
        self.fields["topics"].choices = [(t.pk, t.name) for t in topics]  # type: ignore[attr-defined]
        self.fields["campaign"].choices = [  # type: ignore[attr-defined]
            ("", _("No campaign")),
            *((c.pk, c.name) for c in campaigns),
        ]
        self.slot_counts = self._slot_counts()
        for network in Network.ALL:
            for index in range(1, self.slot_counts[network] + 1):
                self.fields[copy_field_name(network, index)] = forms.CharField(
                    label=_("Variant %(n)d") % {"n": index},
                    required=False,
                    max_length=100_000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    @staticmethod
    def initial_from(item: ContentItem) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": item.title,
            "body": item.body,
            "link": item.link,
            "topics": [t.pk for t in item.topics.all()],
            "campaign": item.campaign_id,
            "language": item.language,
            "content_type": item.content_type,
            "priority": item.priority,
            "important": item.important,
            "featured": item.featured,
            "publish_at": item.publish_at,
            "expire_at": item.expire_at,
        }
        counts: dict[str, int] = {}
        for copy in item.copies.all():
            counts[copy.network] = counts.get(copy.network, 0) + 1
            initial[copy_field_name(copy.network, counts[copy.network])] = copy.text
        return initial

    def _slot_counts(self) -> dict[str, int]:
        """Text areas per network: what was posted (the script may have added some), the
        stored variants plus one empty, and at least DEFAULT_SLOTS."""
        counts = dict.fromkeys(Network.ALL, DEFAULT_SLOTS)
        for key in self.initial:
            match = _COPY_FIELD.match(key)
            if match and match["network"] in counts:
                wanted = min(int(match["index"]) + 1, MAX_VARIANTS)
                counts[match["network"]] = max(counts[match["network"]], wanted)
        if self.is_bound:
            for key in self.data:
                match = _COPY_FIELD.match(key)
                if match and match["network"] in counts:
                    wanted = min(int(match["index"]), MAX_VARIANTS)
                    counts[match["network"]] = max(counts[match["network"]], wanted)
        return counts

    def network_groups(self) -> list[NetworkGroup]:
        groups = []
        for network in Network.ALL:
            slots = [
                CopySlot(network, index, self[copy_field_name(network, index)])
                for index in range(1, self.slot_counts[network] + 1)
            ]
            groups.append(
                NetworkGroup(
                    network=network,
                    label=Network.LABELS[network],
                    limit=LIMITS[network],
                    unit=str(UNIT_LABELS.get(UNITS[network], UNITS[network])),
                    slots=slots,
                )
            )
        return groups

    def _copies(self) -> tuple[list[CopyData], list[str]]:
        """The non-empty text areas, and the field name each copy came from."""
        copies: list[CopyData] = []
        origins: list[str] = []
        for network in Network.ALL:
            for index in range(1, self.slot_counts[network] + 1):
                name = copy_field_name(network, index)
                text = self.cleaned_data.get(name) or ""
                if text.strip():
                    copies.append(CopyData(network=network, text=text))
                    origins.append(name)
        return copies, origins

    def to_item_data(self) -> ItemData:
        data = self.cleaned_data
        copies, self.copy_origins = self._copies()
        return ItemData(
            title=data.get("title") or "",
            language=data.get("language") or "",
            body=data.get("body") or "",
            link=data.get("link") or "",
            content_type=data.get("content_type") or ContentType.COMPANY_NEWS,
            priority=data.get("priority") or 0,
            important=bool(data.get("important")),
            featured=bool(data.get("featured")),
            publish_at=data.get("publish_at"),
            expire_at=data.get("expire_at"),
            campaign_id=data.get("campaign"),
            topic_ids=list(data.get("topics") or []),
            copies=copies,
        )

    def domain_field(self, key: str) -> str | None:
        """The form field of a service's error key (`campaign_id` -> `campaign`,
        `copies.3.text` -> the text area that copy came from), or None (form-wide)."""
        if key.startswith("copies."):
            origins: list[str] = getattr(self, "copy_origins", [])
            parts = key.split(".")
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(origins):
                return origins[int(parts[1])]
            return None
        name = self.ERROR_FIELDS.get(key, key)
        return name if name in self.fields else None


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG, PNG, GIF or WebP."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    alt_text = forms.CharField(
        label=_("Alternative text"),
        required=False,
        max_length=300,
        help_text=_("Describe the image for people who cannot see it."),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TopicForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FeedFilterForm(forms.Form):
    """The feed's filters, from the query string (`topic`, `campaign`, `network`, `type`,
    `q`). A value that is not valid (an unknown or another organization's topic, a word
    that is not a network...) is ignored, never an error: `filters()` keeps the others."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    network = forms.ChoiceField(label=_("Network"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        topics: list[tuple[int, str]],
        campaigns: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        fields: Any = self.fields
        fields["topic"].choices = [("", _("All topics")), *topics]
        fields["campaign"].choices = [("", _("All campaigns")), *campaigns]
        fields["network"].choices = [("", _("All networks")), *Network.LABELS.items()]
        fields["type"].choices = [("", _("All types")), *ContentType.choices]

    def filters(self) -> FeedFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return FeedFilters(
            topic_id=data.get("topic"),
            campaign_id=data.get("campaign"),
            network=data.get("network") or "",
            content_type=data.get("type") or "",
            query=(data.get("q") or "").strip(),
        )


class SubmitForm(CommentForm):
    """Submitting for review: a comment for the approvers and, optionally, the day by which
    they should answer (else the organization's number of review days)."""

    review_due_on = forms.DateField(
        label=_("Review by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def review_due_at(self) -> Any:
        """The chosen day at 18:00 in the current time zone, or None."""
        day = self.cleaned_data.get("review_due_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
