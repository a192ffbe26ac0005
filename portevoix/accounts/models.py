from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES
from portevoix.core.tenancy import OrgOwned

from .roles import ALL_ROLES

LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English"))]


class Visibility(models.TextChoices):
    """How a person appears to others on every page, export and API answer that names
    people (boards, top ambassadors, tables): their own pages always show them."""

    NAME = "name", _("By my name")
    PSEUDONYM = "pseudonym", _("Under a pseudonym")
    HIDDEN = "hidden", _("Not at all")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """`get(pk=...)` (or `id=`) alone, on the default database: the statement built once
        per process (accounts/current.py, decision 0038); Django's auth backend reads the
        signed-in user this way on every request. Anything else: the ORM."""
        if not args and len(kwargs) == 1 and self._db is None:
            ((name, value),) = kwargs.items()
            whole = isinstance(value, int) and not isinstance(value, bool)
            if name in {"pk", "id"} and (whole or (isinstance(value, str) and value.isdigit())):
                from .current import user_by_pk

                return cast(User, user_by_pk(self.model, value))
        return super().get(*args, **kwargs)

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Logs in with their email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, blank=True)
    # IANA name (Europe/Paris); empty: the platform's TIME_ZONE. Scheduling and best times use it.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True, max_length=60)
    default_language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    approvals_required = models.PositiveSmallIntegerField(
        _("approvals required"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How many approvers must approve an item before it goes live."),
    )
    final_approval_required = models.BooleanField(
        _("final approver signs last"),
        default=False,
        help_text=_("After the approvals above, a final approver must sign last."),
    )
    review_days = models.PositiveSmallIntegerField(
        _("days to review"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("When an item is submitted, the approvers have this many days to answer."),
    )
    reschedule_requires_review = models.BooleanField(
        _("moving approved content sends it back to review"),
        default=False,
        help_text=_("Moving an approved or live item on the calendar sends it back to review."),
    )
    # How members appear to others until they choose (`AmbassadorProfile.visibility`).
    default_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PSEUDONYM
    )
    # Administrators must log in with a second step (an authenticator app): one without
    # it is sent to set it up before anything else (accounts.two_factor).
    two_factor_required_for_admins = models.BooleanField(
        _("administrators must use two-step verification"), default=False
    )
    # A person who left is erased this many days after leaving (privacy's periodic job,
    # docs/decisions/0022-erasure.md); 0 means never automatically.
    erase_after_days = models.PositiveSmallIntegerField(
        _("erase the data of people who left after (days)"), default=30
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Team(OrgOwned):
    KIND_CHOICES = [("department", _("Department")), ("site", _("Site")), ("other", _("Other"))]

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default="department")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(OrgOwned):
    """A user's place in one organization. Roles are rows of MembershipRole."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships")
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    # When the person last left (deactivated by an administrator or the directory, or on
    # their own erasure request); cleared when they come back. Erasure counts from it.
    left_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once the person's data was erased: the row stays, pseudonymous, so that every
    # figure counted on it stays right (docs/decisions/0022-erasure.md).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]
        indexes = [
            # The few inactive members: boards subtract them (recognition's rank and teams).
            models.Index(
                fields=["organization", "id"],
                condition=models.Q(is_active=False),
                name="membership_inactive_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id}"


class MembershipRole(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_rows")
    role = models.CharField(max_length=32, choices=ALL_ROLES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="membership_role_unique")
        ]


class AmbassadorProfile(models.Model):
    """Voluntary enrolment: nobody is an ambassador until they opt in themselves."""

    HELP_CHOICES = [
        ("sharing", _("Sharing content")),
        ("ideas", _("Suggesting ideas")),
        ("analytics", _("Analytics and feedback")),
    ]

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="ambassador"
    )
    opted_in = models.BooleanField(default=False)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    interests = models.ManyToManyField("content.Topic", blank=True, related_name="+")
    languages = models.JSONField(default=list, blank=True)
    help_with = models.JSONField(default=list, blank=True)
    # The feed's "new since your last visit" (services.ambassador_feed_visit): the last time
    # the ambassador opened their feed (to within a few minutes), and the visit before the
    # current browsing session, which the feed compares with while the session lasts.
    feed_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    feed_since_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The person's own choice of how others see them (blank: the organization's default),
    # and the pseudonym they chose (blank: one is made up from their id).
    visibility = models.CharField(max_length=10, choices=Visibility.choices, blank=True)
    pseudonym = models.CharField(max_length=40, blank=True)
    visibility_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            # The few who appear nowhere, and the few who withdrew: read as small sets by the
            # boards (`visibility.unlisted_member_ids`), never by a scan of every profile.
            models.Index(
                fields=["membership"],
                condition=models.Q(visibility="hidden"),
                name="ambassador_hidden_idx",
            ),
            models.Index(
                fields=["membership"],
                condition=models.Q(opted_in=False, opted_out_at__isnull=False),
                name="ambassador_withdrawn_idx",
            ),
        ]


class NetworkPresence(models.Model):
    """A network the ambassador uses, with their declared audience there."""

    profile = models.ForeignKey(
        AmbassadorProfile, on_delete=models.CASCADE, related_name="networks"
    )
    network = models.CharField(max_length=20, choices=NETWORK_CHOICES)
    handle = models.CharField(max_length=200, blank=True)
    audience = models.PositiveIntegerField(default=0)
    # Mastodon: the ambassador's own instance (host name).
    instance = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "network"], name="presence_unique")
        ]


class ConsentEvent(OrgOwned):
    """Opt-in and withdrawal, with their date. Append-only."""

    KIND_CHOICES = [("opt_in", _("Opted in")), ("opt_out", _("Withdrew"))]
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    at = models.DateTimeField()
    # Why a withdrawal happened when the member did not choose it (blank: their own choice),
    # e.g. "deprovisioned by the directory" (services.provisioning).
    reason = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]


class Invitation(OrgOwned):
    email = models.EmailField()
    roles = models.JSONField(default=list, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    # The accept link's token, encrypted with core.crypto until the email is sent: the email
    # task takes only the invitation's id, so the token never sits in the task queue.
    # Emptied once the email is out (or the invitation is used or withdrawn).
    token_sealed = models.TextField(blank=True, default="")
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ApiToken(OrgOwned):
    """A personal API token scoped to one organization. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Scopes (docs/decisions/0020-api-token-scopes.md): read-only or read-write, on every
    # area of the API or only on `areas` (codes of `core.api_support.API_AREAS`).
    can_write = models.BooleanField(default=True)
    all_areas = models.BooleanField(default=True)
    areas = models.JSONField(default=list, blank=True)


class FrameVersion(models.Model):
    """The version of what every page's frame shows of a member (`accounts.frame`: roles,
    navigation counts, bell, banners, gates): one row per organization (no membership: what
    all its members see) and one per member. A random number, moved inside the transaction
    of any write that changes what the frame shows (docs/decisions/0010-page-frame-cache.md);
    in the database so that every web process and the worker agree."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(membership__isnull=True),
                name="frame_version_one_per_organization",
            )
        ]


class TotpDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238): the second step of a password login.

    The shared secret is stored encrypted with `core.crypto` (never in clear). Confirmed once
    the person typed a code from their app; until then it is only being set up.
    `last_step` is the last time step (30 s) whose code was accepted: a code is refused once
    used, so it cannot be replayed within its window."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_sealed = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class RecoveryCode(models.Model):
    """A single-use recovery code of the second step. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")
        ]
