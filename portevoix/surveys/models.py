"""Program surveys: a survey, its questions, who took part, and the answers.

Anonymous surveys (docs/decisions/0008-anonymous-survey-answers.md): `Participation` says who
answered (no answer in it); `Response` and `Answer` hold what was answered, with random UUID
keys, no timestamp, and no link to a member. Until enough answers wait, they sit encrypted
in the survey's `AnswerBuffer` and are written in a shuffled batch; when the survey closes,
all its answers are written again in a random order with the team labels that the
group-of-five rule allows.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Kind(models.TextChoices):
    SCALE5 = "scale5", _("Scale from 1 to 5")
    SCALE10 = "scale10", _("Scale from 0 to 10")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")
    ENPS = "enps", _("eNPS (0 to 10, would recommend)")


class Survey(OrgOwned):
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    anonymous = models.BooleanField(default=True)
    # The audience: one team, or every ambassador when empty.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    deadline = models.DateTimeField()
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="survey_state_deadline_idx")]

    def __str__(self) -> str:
        return self.title


class Question(OrgOwned):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    # The options of a single or multiple choice question.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]


class Participation(OrgOwned):
    """Who answered (once per survey): no answer, no time finer than the day, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    answered_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "membership"], name="survey_participation_once"
            )
        ]


class Response(OrgOwned):
    """One person's answers. `membership` only on a survey that is not anonymous; `team`
    only where the group-of-five rule allows it (anonymous: set when the survey closes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Answer(OrgOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    options = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)


class AnswerBuffer(OrgOwned):
    """An anonymous survey's answers not yet written, encrypted (`core.crypto`) and shuffled:
    `pending` is a list of responses; `teams` maps each written response to its author's team
    until the survey closes. Neither can be read from the database alone."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="buffer")
    pending = models.TextField(blank=True)
    pending_count = models.PositiveIntegerField(default=0)
    teams = models.TextField(blank=True)
