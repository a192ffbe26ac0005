"""The survey editor (questions inline) and the answer form built from a survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, Question

QUESTION_ROWS = 8


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous answers"),
        required=False,
        help_text=_(
            "Nobody, administrators included, can know who answered what. Respondents are "
            "told before answering. This cannot be changed after the launch."
        ),
    )
    team = forms.TypedChoiceField(label=_("Audience"), required=False, coerce=int, empty_value=None)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All ambassadors")), *teams]  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("(no question)")), *Kind.choices]
    )
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Options (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("kind") and not (data.get("text") or "").strip()


def question_forms(data: Any = None, questions: list[Question] | None = None) -> list[QuestionForm]:
    initial: list[dict[str, Any]] = [
        {"kind": q.kind, "text": q.text, "choices": "\n".join(q.choices), "required": q.required}
        for q in questions or []
    ]
    rows = max(QUESTION_ROWS, len(initial) + 2)
    return [
        QuestionForm(data, prefix=f"q{i}", initial=initial[i] if i < len(initial) else None)
        for i in range(rows)
    ]


def _scale(low: int, high: int) -> list[tuple[str, str]]:
    return [(str(n), str(n)) for n in range(low, high + 1)]


def answer_form(questions: list[Question], data: Any = None) -> forms.Form:
    """One field per question, named `q<id>` (the service's field error keys)."""
    form = forms.Form(data)
    for q in questions:
        name = f"q{q.pk}"
        field: forms.Field
        if q.kind == Kind.SCALE5:
            field = forms.ChoiceField(choices=_scale(1, 5), widget=forms.RadioSelect)
        elif q.kind in (Kind.SCALE10, Kind.ENPS):
            field = forms.ChoiceField(choices=_scale(0, 10), widget=forms.RadioSelect)
        elif q.kind == Kind.SINGLE:
            field = forms.ChoiceField(choices=[(c, c) for c in q.choices], widget=forms.RadioSelect)
        elif q.kind == Kind.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=[(c, c) for c in q.choices], widget=forms.CheckboxSelectMultiple
            )
        else:
            field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
        field.label = q.text
        field.required = q.required
        form.fields[name] = field
    return form
