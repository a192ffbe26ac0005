"""Writes to the content taxonomy: topics and campaigns (re-exported by `content.services`,
the app's surface)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import Conflict, DomainError
from portevoix.core.tenancy import scoped

from .models import Campaign, Topic

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


@transaction.atomic
def topic_create(*, membership: Membership, name: str) -> Topic:
    require(membership, "taxonomy.manage")
    name = name.strip()
    slug = slugify(name)
    if not name or not slug:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    if scoped(Topic, membership.organization).filter(slug=slug).exists():
        raise Conflict(
            _("This topic exists already."), field_errors={"name": [_("Already exists.")]}
        )
    return Topic.objects.create(organization=membership.organization, name=name, slug=slug)


@transaction.atomic
def campaign_create(
    *,
    membership: Membership,
    name: str,
    description: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Campaign:
    require(membership, "taxonomy.manage")
    name = name.strip()
    slug = slugify(name)
    if not name or not slug:
        raise DomainError(_("A name is required."), field_errors={"name": [_("Required.")]})
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(
            _("The end comes before the start."), field_errors={"ends_on": [_("Invalid.")]}
        )
    if scoped(Campaign, membership.organization).filter(slug=slug).exists():
        raise Conflict(
            _("This campaign exists already."), field_errors={"name": [_("Already exists.")]}
        )
    return Campaign.objects.create(
        organization=membership.organization,
        name=name,
        slug=slug,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
    )
