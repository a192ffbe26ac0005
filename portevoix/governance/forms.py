"""Forms of the governance pages. They only parse: the rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.core import audit_labels
from portevoix.core.networks import NETWORK_CHOICES, Network

from . import matching
from .models import CaseSource, CaseStatus, RuleAction, RuleKind
from .services import MAX_CHARTER_CHARS, MAX_REASON_CHARS, MAX_SUMMARY_CHARS, RuleData

MAX_CHECK_CHARS = 100_000


class DomainErrorsMixin:
    """Where a service's `field_errors` key goes on the form (for
    `core.web.apply_domain_error(form, exc, field_map=form.domain_field)`)."""

    FIELD_ALIASES: dict[str, str] = {}

    def domain_field(self, key: str) -> str | None:
        name = self.FIELD_ALIASES.get(key, key)
        if name.startswith("disclosures."):
            name = "disclosure_" + name.split(".", 1)[1].replace("*", "any")
        form: Any = self
        return name if name in form.fields else None


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _term_lines(value: str) -> list[str]:
    # Terms may contain commas ("12,5 M€"): one per line.
    return [line.strip() for line in value.splitlines() if line.strip()]


# --- Charter


class CharterDraftForm(DomainErrorsMixin, forms.Form):
    body_fr = forms.CharField(
        label=_("Charter in French"),
        required=False,
        max_length=MAX_CHARTER_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "lang": "fr"}),
        help_text=_("Markdown: **bold**, *italics*, lists with -, headings with ##."),
    )
    body_en = forms.CharField(
        label=_("Charter in English"),
        required=False,
        max_length=MAX_CHARTER_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "lang": "en"}),
        help_text=_("Members read it in their language, or in the other one if it is empty."),
    )


class CharterPublishForm(DomainErrorsMixin, forms.Form):
    summary_of_changes = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=MAX_SUMMARY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to every member when they are asked to accept the new version. "
            "Required from the second version on."
        ),
    )


class CharterAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


class AckFilterForm(forms.Form):
    version = forms.TypedChoiceField(
        label=_("Version"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, versions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["version"]).choices = [("", _("All versions"))] + [
            (v.pk, _("Version %(number)s") % {"number": v.number}) for v in versions
        ]


# --- Guardrails


class RuleForm(DomainErrorsMixin, forms.Form):
    FIELD_ALIASES = {"terms": "terms", "allowed_domains": "allowed_domains"}

    kind = forms.ChoiceField(label=_("Kind of rule"), choices=RuleKind.choices)
    action = forms.ChoiceField(
        label=_("When it matches"),
        choices=[
            (RuleAction.BLOCK, _("Block: the text is refused")),
            (RuleAction.WARN, _("Warn: the writer is told, the text goes to moderation")),
        ],
        widget=forms.RadioSelect,
        initial=RuleAction.WARN,
    )
    terms = forms.CharField(
        label=_("Words and expressions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line. Case, accents and regular plural or feminine forms are found "
            "too; a word is never found inside another word."
        ),
    )
    allowed_domains = forms.CharField(
        label=_("Allowed link domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, for example example.com (its subdomains are allowed too)."),
    )
    networks = forms.MultipleChoiceField(
        label=_("Networks"),
        required=False,
        choices=NETWORK_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: every network, and comments."),
    )
    reason = forms.CharField(
        label=_("Message to the writer"),
        required=False,
        max_length=300,
        help_text=_("Why it matters, shown next to the matched words."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in ("any", *Network.ALL):
            label = _("Every other network") if code == "any" else Network.LABELS[code]
            self.fields[f"disclosure_{code}"] = forms.CharField(
                label=label, required=False, max_length=60
            )

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": rule.kind,
            "action": rule.action,
            "terms": "\n".join(rule.terms or []),
            "allowed_domains": "\n".join(rule.allowed_domains or []),
            "networks": list(rule.networks or []),
            "reason": rule.reason,
            "active": rule.active,
        }
        for network, text in (rule.disclosures or {}).items():
            key = "any" if network == matching.ANY_NETWORK else network
            initial[f"disclosure_{key}"] = text
        return initial

    def disclosure_fields(self) -> list[forms.BoundField]:
        return [self[f"disclosure_{code}"] for code in ("any", *Network.ALL)]

    def to_data(self) -> RuleData:
        data = self.cleaned_data
        disclosures = {}
        for code in ("any", *Network.ALL):
            text = data.get(f"disclosure_{code}", "")
            if text:
                disclosures[matching.ANY_NETWORK if code == "any" else code] = text
        return RuleData(
            kind=data["kind"],
            action=data["action"],
            terms=_term_lines(data["terms"]),
            networks=list(data["networks"]),
            allowed_domains=_lines(data["allowed_domains"]),
            disclosures=disclosures,
            reason=data["reason"],
            active=data["active"],
        )


class CheckForm(forms.Form):
    network = forms.ChoiceField(
        label=_("Network"),
        choices=[("", _("No network (a comment)")), *NETWORK_CHOICES],
        required=False,
    )
    text = forms.CharField(
        label=_("Your text"),
        max_length=MAX_CHECK_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


# --- Moderation


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *CaseStatus.choices],
        initial=CaseStatus.OPEN,
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Every source")), *CaseSource.choices]
    )


class DecisionForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the author"),
        required=False,
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(DomainErrorsMixin, forms.Form):
    """A content item, or one share of it (a colleague's post), and what is wrong."""

    item = forms.IntegerField(
        label=_("Content item"), min_value=1, max_value=2**63 - 1, required=False
    )
    share = forms.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("item") and not cleaned.get("share") and "item" not in self.errors:
            self.add_error("item", _("Say which content item."))
        return cleaned


# --- Audit log


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Person (name or email)"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=60)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], object_types: list[str], **kw: Any):
        super().__init__(*args, **kw)
        # Readable labels (core.audit_labels); the code stays the value, for those who grep.
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("Every action")),
            *audit_labels.action_choices(actions),
        ]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", _("Every type")),
            *sorted(
                ((t, audit_labels.type_label(t)) for t in object_types),
                key=lambda c: c[1].casefold(),
            ),
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "person": data["person"].strip() or None,
            "action": data["action"] or None,
            "object_type": data["object_type"] or None,
            "object_id": data["object_id"].strip() or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
