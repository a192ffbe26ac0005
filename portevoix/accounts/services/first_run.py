"""First run for a real company: an empty organization with its first administrator.

Used by `manage.py create_organization` and the first-run page (accounts/views/first_run.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from ..models import Membership, Organization, User
from ..roles import Role
from .organizations import ORGANIZATION_LANGUAGES, organization_create


@dataclass
class FirstRun:
    organization: Organization
    admin: User
    created: bool  # False: this organization already had this administrator (nothing done)


def _clean(name: str, email: str, language: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    email = email.strip().lower()
    max_length = Organization._meta.get_field("name").max_length or 120
    if not name:
        errors["name"] = [_("The organization needs a name.")]
    elif len(name) > max_length:
        errors["name"] = [_("At most %(max)d characters.") % {"max": max_length}]
    elif not slugify(name):
        errors["name"] = [_("The name needs at least one letter or digit.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["admin_email"] = [_("Enter a valid email address.")]
    if language not in ORGANIZATION_LANGUAGES:
        errors["language"] = [_("Choose French or English.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, field_errors=errors)
    return name, email, language


@transaction.atomic
def organization_first_run(
    *,
    name: str,
    admin_email: str,
    admin_name: str = "",
    password: str | None = None,
    language: str = "fr",
) -> FirstRun:
    """Create the organization `name` and its first admin `admin_email`.

    Without a password, the admin's password is unusable until they choose one through a
    set-password link (`password_reset_url`). Run again with the same name and email, it
    changes nothing (`created` is False); an email that already has an account elsewhere,
    or a name taken by another organization, is refused."""
    name, email, language = _clean(name, admin_email, language)
    slug = slugify(name)[:60]
    existing = Organization.objects.filter(slug=slug).first()
    user = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        is_its_admin = (
            user is not None
            and scoped(Membership, existing).filter(user=user, role_rows__role=Role.ADMIN).exists()
        )
        if is_its_admin:
            assert user is not None
            return FirstRun(organization=existing, admin=user, created=False)
        raise Conflict(
            _("An organization named “%(name)s” already exists.") % {"name": existing.name},
            field_errors={"name": [_("This name is taken.")]},
        )
    if user is not None:
        raise Conflict(
            _("%(email)s already has an account: choose another address.") % {"email": email},
            field_errors={"admin_email": [_("This address already has an account.")]},
        )
    if password is not None:
        candidate = User(email=email, full_name=admin_name.strip())
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise DomainError(
                " ".join(exc.messages), field_errors={"password": list(exc.messages)}
            ) from exc
    # No password: create_user stores an unusable one.
    user = User.objects.create_user(
        email, password, full_name=admin_name.strip(), language=language
    )
    organization = organization_create(name=name, owner=user, slug=slug)
    organization.default_language = language
    organization.save(update_fields=["default_language"])
    return FirstRun(organization=organization, admin=user, created=True)
