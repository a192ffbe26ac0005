"""Governance: the social media charter and its acknowledgements, guardrail rules, the
moderation queue and the audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned

from . import matching

# --- Charter


class CharterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CharterVersion(OrgOwned):
    """One version of the organization's social media charter, in Markdown.

    A draft is edited freely; once published it never changes. The current charter is the
    published version with the highest number."""

    number = models.PositiveIntegerField(_("version"))
    body_fr = models.TextField(_("charter in French (Markdown)"), blank=True)
    body_en = models.TextField(_("charter in English (Markdown)"), blank=True)
    summary_of_changes = models.TextField(_("what changed"), blank=True)
    status = models.CharField(
        max_length=10, choices=CharterStatus.choices, default=CharterStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="charter_number")
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-number"], name="charter_current_idx")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == CharterStatus.DRAFT

    def body_in(self, language: str) -> tuple[str, str]:
        """(body, language) in `language`, falling back to the other one."""
        preferred, other = ("en", "fr") if language == "en" else ("fr", "en")
        for code in (preferred, other):
            body = getattr(self, f"body_{code}")
            if body.strip():
                return body, code
        return "", preferred


class CharterAcknowledgement(OrgOwned):
    """A member read and accepted one version of the charter. Kept forever."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="charter_acks"
    )
    version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "version"], name="charter_ack_unique")
        ]


# --- Guardrails


class RuleKind(models.TextChoices):
    BLOCKED_TERM = matching.BLOCKED_TERM, _("Blocked term")
    AVOID_WORD = matching.AVOID_WORD, _("Word to avoid")
    COMPETITOR = matching.COMPETITOR, _("Competitor name")
    LINK_DOMAIN = matching.LINK_DOMAIN, _("Allowed link domains")
    DISCLOSURE = matching.DISCLOSURE, _("Required disclosure")


class RuleAction(models.TextChoices):
    BLOCK = matching.BLOCK, _("Block")
    WARN = matching.WARN, _("Warn")


class GuardrailRule(OrgOwned):
    """A rule that every text a person writes for the organization goes through."""

    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    action = models.CharField(
        _("action"), max_length=10, choices=RuleAction.choices, default=RuleAction.WARN
    )
    # blocked_term, avoid_word, competitor: the words or expressions.
    terms = models.JSONField(_("terms"), default=list, blank=True)
    # Empty: every network, and texts without one (comments).
    networks = models.JSONField(_("networks"), default=list, blank=True)
    # link_domain: the domains links may point to (their subdomains too).
    allowed_domains = models.JSONField(_("allowed domains"), default=list, blank=True)
    # disclosure: {network: text}; "*" for every other network.
    disclosures = models.JSONField(_("disclosures"), default=dict, blank=True)
    reason = models.CharField(_("message to the writer"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["organization", "active"], name="rule_active_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def as_rule(self) -> matching.Rule:
        return matching.Rule(
            id=self.pk,
            kind=self.kind,
            action=self.action,
            terms=tuple(str(t) for t in self.terms or ()),
            networks=tuple(str(n) for n in self.networks or ()),
            allowed_domains=tuple(str(d) for d in self.allowed_domains or ()),
            disclosures={str(k): str(v) for k, v in (self.disclosures or {}).items()},
            reason=self.reason,
        )

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps of the rule."""
        return {
            "kind": self.kind,
            "action": self.action,
            "terms": list(self.terms or []),
            "networks": list(self.networks or []),
            "allowed_domains": list(self.allowed_domains or []),
            "disclosures": dict(self.disclosures or {}),
            "reason": self.reason,
            "active": self.active,
        }


# --- Moderation


class CaseSource(models.TextChoices):
    WARNING = "warning", _("Passed with warnings")
    REPORT = "report", _("Reported by a colleague")
    SUGGESTION = "suggestion", _("Suggestion")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REMOVED = "removed", _("Removed")


class ModerationCase(OrgOwned):
    """A text the community manager should look at."""

    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    author = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
    )
    reported_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))
    # What the text belongs to: "<app>.<model>" and its id ("sharing.share", "content.item").
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=40)
    # Why it is here: the guardrail warnings, or the colleague's report.
    flag_reason = models.TextField(_("why it is here"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The email to the author: sent once, whatever retries happen.
    notified_at = models.DateTimeField(null=True, blank=True)
    # For removals: whether the network copy could be taken down too.
    removal_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"], name="case_queue_idx"),
            models.Index(
                fields=["organization", "object_type", "object_id"], name="case_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    def snapshot(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.decision_reason}


# --- Audit log


class AuditLogImmutableError(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("audit log entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AuditLogImmutableError("audit log entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("audit log entries cannot be changed")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("audit log entries cannot be changed")


AuditEntryManager = models.Manager.from_queryset(AuditEntryQuerySet)


class AuditEntry(OrgOwned):
    """Who did what, when, with the object before and after. Append-only: the model refuses
    changes and deletion, and so does the database (triggers, migration 0002)."""

    # The actor's account may be erased later: the entry keeps the id and a label.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("who"), max_length=400, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(_("when"))

    objects = AuditEntryManager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["organization", "-at"], name="audit_org_at_idx"),
            models.Index(
                fields=["organization", "object_type", "object_id"], name="audit_object_idx"
            ),
            models.Index(fields=["organization", "actor", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutableError("audit log entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("audit log entries cannot be deleted")
