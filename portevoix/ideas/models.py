"""The idea box: ideas of three kinds, their images, votes (one per colleague) and comments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class IdeaKind(models.TextChoices):
    CONTENT = "content", _("Content to share")
    INSIGHT = "insight", _("Customer insight from the field")
    IMPROVEMENT = "improvement", _("Improvement to the program")


class IdeaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged")


def _image_path(instance: IdeaImage, filename: str) -> str:
    return f"ideas/{instance.idea.organization_id}/{instance.idea_id}/{filename}"


class Idea(OrgOwned):
    author = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=IdeaKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.OPEN)
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    # The draft an accepted idea became (content sits below: it never reads this column, it
    # asks `settings.CONTENT_ORIGIN_PROVIDERS`, see docs/decisions/0007-idea-origin.md).
    content_item = models.ForeignKey(
        "content.ContentItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "status", "-vote_count", "-id"], name="idea_by_votes"
            ),
            models.Index(fields=["organization", "status", "-id"], name="idea_by_newest"),
            models.Index(fields=["organization", "content_item"], name="idea_by_item"),
        ]

    def __str__(self) -> str:
        return self.title


class IdeaImage(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=_image_path)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class IdeaVote(OrgOwned):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "membership"], name="idea_vote_once")
        ]


class IdeaComment(OrgOwned):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
