"""Every row of one organization, found from the model registry: what the whole-organization
export writes and what the deletion removes (docs/decisions/0024-organization-data.md).

Like a backup, this works on the database's tables, not on the apps' interfaces: each
concrete model of Portevoix's apps (many-to-many tables included) reaches its organization
either by its own `organization` foreign key or by a chain of foreign keys to a model that
has one (`content.Approval` by `item__organization`). Two kinds of models are not the
organization's, and are named here so that no model is forgotten silently:

- `GLOBAL_MODELS`: shared by the whole installation (a Mastodon instance's app, the email
  addresses that bounced);
- `USER_MODELS`: a person's own login secrets (second step), which belong to the person's
  account, kept while they belong to another organization and deleted with the account.

`accounts.User` is the organization's through its memberships. A test
(tests/accounts/test_organization_data.py) fails when a new model is none of these.

Secrets never leave through the export: the fields named `password`, `*_sealed`,
`*_encrypted`, `*_hash` (stored hashes of tokens) and the click's `visitor` hash are left
out (`exported_fields`). The deletion removes every row, secret or not.

No app is imported: models are looked up by label when asked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connections, models, router, transaction

ORGANIZATION = "accounts.Organization"
USER = "accounts.User"
GLOBAL_MODELS = {
    "publishing.MastodonApp": "one app per Mastodon instance, shared by every organization",
    "notifications.EmailSuppression": "addresses that bounced or complained, for every sender",
    "privacy.OrganizationDeletion": "the trace of deleted organizations: an id, dates, counts",
}
USER_MODELS = {
    "accounts.TotpDevice": "the person's authenticator secret (second step of their login)",
    "accounts.RecoveryCode": "the person's recovery codes (hashed)",
    "accounts.User_groups": "Django's groups of an account (Portevoix gives none)",
    "accounts.User_user_permissions": "Django's permissions of an account (Portevoix gives none)",
}
# Never written to an export: secrets and their traces.
SECRET_NAMES = {"password", "visitor", "lease_token"}
SECRET_SUFFIXES = ("_sealed", "_encrypted", "_hash")
BATCH = 500


def is_secret(field_name: str) -> bool:
    return field_name in SECRET_NAMES or field_name.endswith(SECRET_SUFFIXES)


@dataclass(frozen=True)
class OrgTable:
    label: str  # "content.ContentItem", or "accounts.Membership_teams" for a m2m table
    model: type[models.Model]
    lookup: str  # the filter that reaches the organization's id, e.g. "item__organization_id"

    @property
    def name(self) -> str:
        """The table's name in an export: `content_contentitem` (its database table)."""
        return str(self.model._meta.db_table)

    def rows(self, organization_id: int) -> models.QuerySet[Any]:
        manager = self.model._default_manager
        return manager.filter(**{self.lookup: organization_id}).order_by("pk")

    def exported_fields(self) -> list[str]:
        return [
            field.attname
            for field in self.model._meta.concrete_fields
            if not is_secret(field.name) and not is_secret(field.attname)
        ]

    def file_fields(self) -> list[str]:
        return [
            field.attname
            for field in self.model._meta.concrete_fields
            if isinstance(field, models.FileField)
        ]


def _ours(model: type[models.Model]) -> bool:
    return model.__module__.startswith("portevoix.") or (
        model._meta.auto_created is not False
        and any(
            f.related_model is not None and f.related_model.__module__.startswith("portevoix.")
            for f in model._meta.concrete_fields
        )
    )


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _lookup(model: type[models.Model], seen: frozenset[str] = frozenset()) -> str | None:
    """The shortest chain of foreign keys from `model` to its organization's id."""
    organization = apps.get_model(ORGANIZATION)
    user = apps.get_model(USER)
    keys = _foreign_keys(model)
    for field in keys:
        if field.related_model is organization and not field.null:
            return f"{field.name}_id"
    for field in keys:
        if field.related_model is organization:
            return f"{field.name}_id"
    best: str | None = None
    for field in keys:
        target = field.related_model
        if target in (user, organization) or not isinstance(target, type):
            continue
        label = target._meta.label
        if label in seen or field.null:
            continue
        rest = _lookup(target, seen | {model._meta.label})
        if rest is not None:
            candidate = f"{field.name}__{rest}"
            if best is None or candidate.count("__") < best.count("__"):
                best = candidate
    return best


@functools.cache
def org_tables() -> tuple[OrgTable, ...]:
    """Every table holding organization rows, in the registry's order (members' users
    last). Raises LookupError for a model that reaches no organization and is not declared
    global or a person's own."""
    tables: list[OrgTable] = []
    unreached: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        if not _ours(model):
            continue
        label = model._meta.label
        if label in (ORGANIZATION, USER) or label in GLOBAL_MODELS or label in USER_MODELS:
            continue
        lookup = _lookup(model)
        if lookup is None:
            unreached.append(label)
            continue
        tables.append(OrgTable(label, model, lookup))
    if unreached:
        raise LookupError(
            "These models reach no organization and are not declared global or a person's "
            f"own (portevoix/core/org_data.py): {', '.join(sorted(unreached))}"
        )
    user = apps.get_model(USER)
    tables.append(OrgTable(USER, user, "memberships__organization_id"))
    return tuple(tables)


def users_table() -> OrgTable:
    return org_tables()[-1]


def table_rows(
    table: OrgTable, organization_id: int, *, chunk: int = 2000
) -> Iterator[dict[str, Any]]:
    """The organization's rows of one table, secrets left out, in primary-key order."""
    queryset = table.rows(organization_id)
    if table.label == USER:
        queryset = queryset.distinct()
    yield from queryset.values(*table.exported_fields()).iterator(chunk_size=chunk)


def file_names(organization_id: int) -> list[tuple[str, str]]:
    """(storage field, file name) of every file an organization's row points to."""
    found: list[tuple[str, str]] = []
    for table in org_tables():
        for attname in table.file_fields():
            names = (
                table.rows(organization_id).exclude(**{attname: ""}).values_list(attname, flat=True)
            )
            found += [(f"{table.label}.{attname}", name) for name in names if name]
    return found


def purge(organization_id: int) -> dict[str, int]:
    """Delete every row of the organization, the organization itself, and the accounts of
    its members who belong to no other organization. One transaction; the foreign keys are
    checked before it ends (a row left pointing to a deleted one fails it all). Returns the
    count of deleted rows per table (only those with rows)."""
    organization = apps.get_model(ORGANIZATION)
    user = apps.get_model(USER)
    membership = apps.get_model("accounts.Membership")
    using = router.db_for_write(organization)
    deleted: dict[str, int] = {}
    with transaction.atomic(using=using):
        user_ids = set(
            membership._default_manager.filter(organization_id=organization_id).values_list(
                "user_id", flat=True
            )
        )
        elsewhere = set(
            membership._default_manager.filter(user_id__in=user_ids)
            .exclude(organization_id=organization_id)
            .values_list("user_id", flat=True)
        )
        tables = [table for table in org_tables() if table.label != USER]
        # The rows reached through another table are found first: once that table is
        # emptied, the join finds nothing.
        keys = {
            table.label: list(table.rows(organization_id).values_list("pk", flat=True))
            for table in tables
            if "__" in table.lookup
        }
        for table in tables:
            manager = table.model._default_manager
            if table.label not in keys:
                count = manager.filter(**{table.lookup: organization_id})._raw_delete(using)
            else:
                # A raw DELETE takes no joins: by the keys, a batch at a time.
                found = keys[table.label]
                count = 0
                for start in range(0, len(found), BATCH):
                    count += manager.filter(pk__in=found[start : start + BATCH])._raw_delete(using)
            if count:
                deleted[table.label] = count
        deleted[ORGANIZATION] = organization._default_manager.filter(
            pk=organization_id
        )._raw_delete(using)
        # Accounts of no other organization: through the ORM (their own login secrets go
        # with them, and rows elsewhere that name them are set to null as their keys say).
        alone = user._default_manager.filter(pk__in=user_ids - elsewhere)
        count, _by_model = alone.delete()
        if count:
            deleted[USER] = count
        connections[using].check_constraints()
    return deleted
