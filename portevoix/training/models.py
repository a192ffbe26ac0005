"""Models of the training app.

Courses: a course (in one language, possibly the translation of another) has lessons in
Markdown and quiz questions with choices. A member's progress is an `Enrollment` with one
`LessonCompletion` per lesson read; each submitted quiz is a `QuizAttempt` (retries are
allowed, the best score counts). Passing issues a `Certificate` with a public id that anyone
can verify.

Events: coaching sessions and events with a capacity; a `Registration` is registered,
waitlisted (with its rank) or cancelled.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import LANGUAGE_CHOICES
from portevoix.core.tenancy import OrgOwned

# --- Courses


class RequiredFor(models.TextChoices):
    NOTHING = "", _("Not required")
    SHARE = "share", _("Required before sharing")
    PERSONALIZE = "personalize", _("Required before personalizing texts")


class Course(OrgOwned):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    # The same course in another language: passing either counts. Always points at the
    # original (a translation is never translated again), so a group is one level deep.
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    required_for = models.CharField(
        _("required"), max_length=20, choices=RequiredFor.choices, blank=True, default=""
    )
    passing_score = models.PositiveSmallIntegerField(
        _("passing score (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "published"], name="course_org_pub_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def group_id(self) -> int:
        """The id shared by a course and its translations (the original's id)."""
        return self.translation_of_id or self.pk

    def get_absolute_url(self) -> str:
        return reverse("training:course", args=[self.pk])


class Lesson(OrgOwned):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True)
    body_html = models.TextField(editable=False, blank=True)  # sanitized render of `body`

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Question(OrgOwned):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    # Optional: the lesson the question checks (shown next to the explanation).
    lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("lesson"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    prompt = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("answer"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Enrollment(OrgOwned):
    """A member's progress in one course."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="training_enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    started_at = models.DateTimeField()
    # When the quiz was first passed.
    completed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "course"], name="enrollment_unique")
        ]


class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_completion_once")
        ]


class QuizAttempt(OrgOwned):
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    # {"<question id>": [<choice id>, ...]}, as submitted (validated).
    answers = models.JSONField(default=dict)
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["membership", "course", "-created_at"], name="attempt_mine_idx")
        ]


class Certificate(OrgOwned):
    """Proof that `membership` passed `course`. `public_id` is random and verifiable by
    anyone at /certificates/<public_id>/; names are snapshots taken at issue time."""

    public_id = models.CharField(max_length=20, unique=True)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    holder_name = models.CharField(max_length=150)
    course_title = models.CharField(max_length=200)
    score = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "course"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_certificate",
            )
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


# --- Coaching sessions and events


class EventKind(models.TextChoices):
    COACHING = "coaching", _("Peer coaching")
    EVENT = "event", _("Event")
    SOCIAL_MEDIA_WEEK = "social_media_week", _("Social media week")


class Event(OrgOwned):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (Markdown)"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.COACHING
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    coach = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coached_events",
        verbose_name=_("coach"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), default=20, validators=[MinValueValidator(1)]
    )
    # iCalendar SEQUENCE: bumped when the date or place changes, so calendars update.
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organization", "starts_at"], name="event_org_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(OrgOwned):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    # Rank on the waiting list (1 = next in), only while waitlisted.
    position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The reminder's idempotency mark: set when it is claimed, once per registration.
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "membership"], name="registration_once")
        ]
        indexes = [
            models.Index(fields=["event", "status", "position"], name="registration_rank_idx")
        ]
