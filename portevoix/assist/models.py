"""An organization's language model connection, and the mark of the copies it drafted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned

DEFAULT_TIMEOUT_SECONDS = 30


class AssistSettings(OrgOwned):
    """One per organization, off until an administrator turns it on. The API key is sealed
    with `core.crypto` and never shown again (the page says only that one is saved)."""

    enabled = models.BooleanField(_("drafting assistance on"), default=False)
    # The OpenAI-compatible base URL, e.g. http://ollama:11434/v1 (…/chat/completions is added).
    base_url = models.CharField(_("base URL"), max_length=500, blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    api_key_sealed = models.TextField(blank=True)
    timeout_seconds = models.PositiveSmallIntegerField(
        _("time limit (seconds)"), default=DEFAULT_TIMEOUT_SECONDS
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="assist_settings_once")
        ]

    def __str__(self) -> str:
        return self.model or "assist"


class AssistedCopy(OrgOwned):
    """A copy a person added to an item from a model's draft: the item's page says it was
    drafted by `model` while the item still has a copy of `network` with this `text`."""

    item = models.ForeignKey("content.ContentItem", on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    text = models.TextField()
    model = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "network"], name="assist_copy_item_idx")]
