"""The one tenant choke point.

Every organization-owned row is reached through `scoped()` or `get_scoped()` (alias
`get_scoped_or_404()`). An object of another organization is indistinguishable from one that
does not exist: both raise `core.errors.NotFound`, which the web toolkit and the API answer
with 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from portevoix.core.errors import NotFound

M = TypeVar("M", bound=models.Model)


class OrgOwned(models.Model):
    """Abstract base of every model that belongs to one organization."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


def scoped(model_or_qs: type[M] | models.QuerySet[M], organization: Any) -> models.QuerySet[M]:
    """Rows of `model_or_qs` that belong to `organization`, and only those."""
    if organization is None:
        raise ValueError("scoped() needs an organization")
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return qs.filter(organization=organization)


def get_scoped(model_or_qs: type[M] | models.QuerySet[M], organization: Any, **lookup: Any) -> M:
    try:
        return scoped(model_or_qs, organization).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc


# The historical name; both raise the domain's NotFound (answered as 404 by views and API).
get_scoped_or_404 = get_scoped
