"""Forms of the training pages: they parse and render; services decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import LANGUAGE_CHOICES

from .models import Course, EventKind, Lesson, Question, QuestionKind, Registration, RequiredFor
from .services import ChoiceData, CourseData, EventData, LessonData, QuestionData

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

CHOICE_ROWS = 6
NO_CHOICE = ""


class DomainForm(forms.Form):
    """A form whose `map_domain_field` says where a service's field error goes (for
    `core.web.apply_domain_error(form, exc, field_map=form.map_domain_field)`)."""

    # Service field name -> form field name, where they differ.
    domain_field_map: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def map_domain_field(self, name: str) -> str | None:
        target = self.domain_field_map.get(name, name)
        return target if target in self.fields else None


def _optional_id(value: str | None) -> int | None:
    return int(value) if value else None


# --- Authoring


class CourseForm(DomainForm):
    domain_field_map = {"translation_of_id": "translation_of"}

    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the list of courses."),
    )
    required_for = forms.ChoiceField(
        label=_("Requirement"),
        choices=RequiredFor.choices,
        required=False,
        help_text=_(
            "Once published, a required course must be passed (or one of its translations) "
            "before an ambassador may share, or personalize the suggested texts."
        ),
    )
    passing_score = forms.IntegerField(
        label=_("Passing score (%)"), min_value=1, max_value=100, initial=80
    )
    translation_of = forms.TypedChoiceField(
        label=_("Translation of"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The same course in another language: passing either one counts."),
    )

    def __init__(self, *args: Any, originals: Iterable[Course] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["translation_of"]
        field.choices = [(NO_CHOICE, _("— None: this is an original —"))] + [  # type: ignore[attr-defined]
            (str(c.pk), f"{c.title} ({c.language})") for c in originals
        ]

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "language": course.language,
            "summary": course.summary,
            "required_for": course.required_for,
            "passing_score": course.passing_score,
            "translation_of": str(course.translation_of_id or ""),
        }

    def to_data(self) -> CourseData:
        d = self.cleaned_data
        return CourseData(
            title=d["title"],
            language=d["language"],
            summary=d["summary"],
            required_for=d["required_for"] or "",
            passing_score=d["passing_score"],
            translation_of_id=d["translation_of"],
        )


class LessonForm(DomainForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Markdown: **bold**, lists, [links](https://...), images ![description]"
            "(https://...). Put a video as a link."
        ),
    )
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Empty: after the last lesson."),
    )

    @classmethod
    def initial_for(cls, lesson: Lesson) -> dict[str, Any]:
        return {"title": lesson.title, "body": lesson.body, "position": lesson.position}

    def to_data(self) -> LessonData:
        d = self.cleaned_data
        return LessonData(title=d["title"], body=d["body"], position=d["position"])


class QuestionForm(DomainForm):
    domain_field_map = {"lesson_id": "lesson", "choices": "choice_1"}

    prompt = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=QuestionKind.choices,
        help_text=_(
            "Multiple choice: the answer counts only when exactly the correct answers are "
            "ticked, no more, no less."
        ),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown after the quiz is submitted, whatever the answer."),
    )
    lesson = forms.TypedChoiceField(
        label=_("Lesson it checks"), required=False, coerce=int, empty_value=None
    )
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Empty: after the last question."),
    )

    def __init__(self, *args: Any, lessons: Iterable[Lesson] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [(NO_CHOICE, _("— None —"))] + [  # type: ignore[attr-defined]
            (str(lesson.pk), lesson.title) for lesson in lessons
        ]
        for n in range(1, CHOICE_ROWS + 1):
            self.fields[f"choice_{n}"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": n}, required=False, max_length=500
            )
            self.fields[f"correct_{n}"] = forms.BooleanField(
                label=_("Answer %(n)d is correct") % {"n": n}, required=False
            )

    def map_domain_field(self, name: str) -> str | None:
        # "choices.2.text" -> "choice_3"
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "choices" and parts[1].isdigit():
            return f"choice_{int(parts[1]) + 1}"
        return super().map_domain_field(name)

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"choice_{n}"], self[f"correct_{n}"]) for n in range(1, CHOICE_ROWS + 1)]

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "prompt": question.prompt,
            "kind": question.kind,
            "explanation": question.explanation,
            "lesson": str(question.lesson_id or ""),
            "position": question.position,
        }
        for n, choice in enumerate(question.choices.all(), start=1):
            if n > CHOICE_ROWS:
                break
            initial[f"choice_{n}"] = choice.text
            initial[f"correct_{n}"] = choice.correct
        return initial

    def to_data(self) -> QuestionData:
        d = self.cleaned_data
        return QuestionData(
            prompt=d["prompt"],
            kind=d["kind"],
            explanation=d["explanation"],
            lesson_id=d["lesson"],
            position=d["position"],
            choices=[
                ChoiceData(text=d[f"choice_{n}"], correct=d[f"correct_{n}"])
                for n in range(1, CHOICE_ROWS + 1)
            ],
        )


# --- Taking a course


class QuizForm(forms.Form):
    """One field per question: radio buttons (single choice) or checkboxes (multiple)."""

    def __init__(self, *args: Any, questions: Iterable[Question], **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            label = _("Question %(n)d") % {"n": number}
            if question.kind == QuestionKind.MULTIPLE:
                field: forms.Field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Tick every correct answer."),
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    help_text=_("One answer."),
                )
            field.question = question  # type: ignore[attr-defined]
            self.fields[f"q_{question.pk}"] = field

    def answers(self) -> list[tuple[int, list[int]]]:
        result = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            if not value:
                continue
            values = value if isinstance(value, list) else [value]
            result.append((question.pk, [int(v) for v in values]))
        return result


# --- Certificates


class RevokeForm(DomainForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Shown on the public verification page."),
    )


class VerifyForm(forms.Form):
    id = forms.CharField(label=_("Certificate number"), max_length=40)


# --- Events


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(DomainForm):
    domain_field_map = {"coach_id": "coach"}

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(
        label=_("Place"), required=False, max_length=200, help_text=_("A room, an address.")
    )
    video_url = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=500,
        help_text=_("For a session online: the link to join."),
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=20)
    coach = forms.TypedChoiceField(label=_("Coach"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown."),
    )

    def __init__(self, *args: Any, coaches: Iterable[Membership] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["coach"].choices = [(NO_CHOICE, _("— No coach —"))] + [  # type: ignore[attr-defined]
            (str(m.pk), m.user.display_name) for m in coaches
        ]
        tz = timezone.get_current_timezone_name()
        self.fields["starts_at"].help_text = _("Time zone: %(tz)s.") % {"tz": tz}

    @classmethod
    def initial_for(cls, event: Any) -> dict[str, Any]:
        def local(value: dt.datetime) -> str:
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")

        return {
            "title": event.title,
            "kind": event.kind,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "place": event.place,
            "video_url": event.video_url,
            "capacity": event.capacity,
            "coach": str(event.coach_id or ""),
            "description": event.description,
        }

    def to_data(self) -> EventData:
        d = self.cleaned_data
        return EventData(
            title=d["title"],
            kind=d["kind"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d["place"],
            video_url=d["video_url"],
            capacity=d["capacity"],
            coach_id=d["coach"],
            description=d["description"],
        )


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, registrations: Iterable[Registration], **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [  # type: ignore[attr-defined]
            (str(r.pk), r.membership.user.display_name) for r in registrations
        ]

    def attended_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data["attended"]]
