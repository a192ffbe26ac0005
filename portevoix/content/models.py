from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import LANGUAGE_CHOICES
from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned


class Topic(OrgOwned):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="topic_slug")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(OrgOwned):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="campaign_slug")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    LIVE = "live", _("Live")
    EXPIRED = "expired", _("Expired")
    ARCHIVED = "archived", _("Archived")


class ContentType(models.TextChoices):
    COMPANY_NEWS = "company_news", _("Company news")
    JOB_OFFER = "job_offer", _("Job offer")
    EVENT = "event", _("Event")
    EXPERTISE = "expertise", _("Expertise")
    INDUSTRY_NEWS = "industry_news", _("Third-party / industry news")


class PreviewStatus(models.TextChoices):
    NONE = "none", _("No preview")
    PENDING = "pending", _("Preview pending")
    OK = "ok", _("Preview ready")
    FAILED = "failed", _("Preview failed")


def _preview_path(instance: ContentItem, filename: str) -> str:
    return f"content/{instance.organization_id}/{instance.pk}/preview/{filename}"


class ContentItem(OrgOwned):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(editable=False, blank=True)  # sanitized render of `body`
    link = models.URLField(_("link"), max_length=2000, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    content_type = models.CharField(
        _("content type"), max_length=20, choices=ContentType.choices, default="company_news"
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    important = models.BooleanField(_("important"), default=False)
    featured = models.BooleanField(_("featured"), default=False)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    expire_at = models.DateTimeField(_("expire at"), null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    # Bumped on every edit; approvals count only for the current revision.
    revision = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The preview of `link`, read by a background task when the link is saved
    # (content/previews.py). Text from the linked page: shown escaped, never trusted.
    preview_url = models.URLField(_("preview read from"), max_length=2000, blank=True)
    preview_title = models.CharField(_("preview title"), max_length=300, blank=True)
    preview_description = models.CharField(_("preview description"), max_length=500, blank=True)
    preview_site = models.CharField(_("preview site"), max_length=120, blank=True)
    # A local copy, re-encoded: the remote image is never shown (privacy, CSP img-src 'self').
    preview_image = models.ImageField(
        upload_to=_preview_path,
        blank=True,
        width_field="preview_image_width",
        height_field="preview_image_height",
    )
    preview_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    preview_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    preview_status = models.CharField(
        max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.NONE
    )
    # A short code: why the fetch failed, or why an ok preview has no image.
    preview_reason = models.CharField(max_length=40, blank=True)
    preview_fetched_at = models.DateTimeField(null=True, blank=True)
    # When the item reaches (or reached) ambassadors: set by the approval that makes it
    # publishable, to the later of that moment and publish-at. The feed's "new since your
    # last visit" and its "newest first" read it.
    live_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The title and body folded for search (accents off, case folded: core.search).
    search_text = models.TextField(blank=True, default="", editable=False)
    # When the approvers should have answered: set on submit (the author's date, or the
    # organization's default number of days), cleared when the review ends.
    review_due_at = models.DateTimeField(_("review due"), null=True, blank=True)
    # A template for recurring content (job offers, events): listed in the library's own
    # tab; "New from template" starts a draft from it.
    is_template = models.BooleanField(_("template"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "state", "language", "publish_at"], name="item_feed_idx"
            ),
            models.Index(fields=["organization", "state", "-created_at"], name="item_library_idx"),
            # The library's default order (last updated first) without sorting every item.
            models.Index(fields=["organization", "-updated_at", "-id"], name="item_updated_idx"),
            # Covers the library's tab counts (one index scan, not the table's rows).
            models.Index(
                fields=["organization", "is_template", "state", "publish_at", "expire_at"],
                name="item_tabs_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NetworkCopy(models.Model):
    """Suggested text for one network. Several variants per network are allowed."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="copies")
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    variant = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()

    class Meta:
        ordering = ["network", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["item", "network", "variant"], name="copy_variant")
        ]


def _image_path(instance: ContentImage, filename: str) -> str:
    return f"content/{instance.item.organization_id}/{instance.item_id}/{filename}"


class ContentImage(models.Model):
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=_image_path)
    alt_text = models.CharField(_("alternative text"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Approval(models.Model):
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    revision = models.PositiveIntegerField()
    is_final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "approver", "revision"], name="one_approval_per_revision"
            )
        ]


class Transition(models.Model):
    """Every change of state: who, when, from, to, comment. Append-only."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    action = models.CharField(max_length=32)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class ItemRevision(models.Model):
    """What an item looked like when it was approved: one row per approved revision (written
    by `item_approve`), the base of the diff an approver reads for the next revision."""

    item = models.ForeignKey(
        ContentItem, on_delete=models.CASCADE, related_name="approved_revisions"
    )
    revision = models.PositiveIntegerField()
    # title, body, link, publish_at, expire_at (ISO), campaign, topics, copies [{network,
    # variant, text}]: plain JSON, so a later change of the item never rewrites it.
    snapshot = models.JSONField(default=dict)
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(fields=["item", "revision"], name="one_snapshot_per_revision")
        ]


class ReviewEmail(models.Model):
    """An email of the approval workflow that went out, under a unique key: the author's
    email about one transition (`outcome:<transition>`), the reminder to one approver about
    one item on one day (`reminder:<item>:<user>:<day>`). A retry never sends it twice."""

    key = models.CharField(max_length=80, unique=True)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)  # approve, request_changes, reminder
    sent_at = models.DateTimeField()


class FeedVersion(OrgOwned):
    """A number that moves whenever anything the ambassadors' feed shows changes in the
    organization (an item, its copies, images, topics, campaign): the feed's cached ranking
    and cards are keyed by it (content/feed_cache.py, docs/decisions/0004-feed-cache.md).
    Kept in the database so that every web process and the worker see the same number."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_feed_version_per_org")
        ]
