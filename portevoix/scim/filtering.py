"""SCIM filters (RFC 7644 §3.4.2.2) as database conditions on members and teams.

scim2-models parses the filter; this module turns its tree into a `Q` over the directory's
querysets (`accounts.services.directory_members` / `directory_teams`). Supported: the
attributes below with eq, ne, co, sw, ew and pr, combined with and, or, not, and the value
path `emails[value eq "..."]`. Anything else answers 400 invalidFilter.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path.expressions import (
    Comparison,
    FilterNode,
    LogicalExpr,
    Not,
    Present,
    ValuePath,
)

# SCIM attribute (lower case) -> the text lookups it matches (any of them).
USER_FIELDS: dict[str, tuple[str, ...]] = {
    "username": ("scim_user__user_name", "user__email"),
    "externalid": ("scim_user__external_id",),
    "emails.value": ("user__email",),
    "emails": ("user__email",),
    "displayname": ("scim_user__display_name", "user__full_name"),
    "name.formatted": ("user__full_name",),
    "title": ("title",),
    "id": ("pk",),
}
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "displayname": ("name",),
    "externalid": ("scim_group__external_id",),
    "id": ("pk",),
    "members.value": ("memberships__pk",),
    "members": ("memberships__pk",),
}
TEXT_OPS = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}
# Case-exact attributes (RFC 7643: id and externalId).
EXACT = {"externalid", "id", "members.value", "members"}


def _name(attr_path: Any, prefix: str = "") -> str:
    name = attr_path.attr + (f".{attr_path.sub_attr}" if attr_path.sub_attr else "")
    return (prefix + name).lower()


def _comparison(node: Comparison, fields: dict[str, tuple[str, ...]], prefix: str) -> Q:
    name = _name(node.attr_path, prefix)
    op = str(node.op.value).lower()
    value = node.value
    if name == "active" and fields is USER_FIELDS:
        if op not in {"eq", "ne"} or not isinstance(value, bool):
            raise InvalidFilterException(detail="active supports eq and ne with true or false")
        return Q(is_active=value) if op == "eq" else ~Q(is_active=value)
    lookups = fields.get(name)
    if lookups is None:
        raise InvalidFilterException(detail=f"Filtering on {name} is not supported")
    if op not in {*TEXT_OPS, "ne"}:
        raise InvalidFilterException(detail=f"The operator {op} is not supported")
    if name in EXACT:
        if op not in {"eq", "ne"}:
            raise InvalidFilterException(detail=f"{name} supports eq and ne")
        text = str(value)
        if lookups[0].endswith("pk") and not text.isdigit():
            return Q(pk__in=[]) if op == "eq" else Q()
        q = Q(**{lookups[0]: text})
        return q if op == "eq" else ~q
    lookup = TEXT_OPS["eq" if op == "ne" else op]
    first = lookups[0]
    q = Q(**{f"{first}__{lookup}": str(value)})
    if len(lookups) > 1:
        # The account's value speaks for members the directory never described.
        undescribed = Q(scim_user__isnull=True) | Q(**{first: ""})
        q |= undescribed & Q(**{f"{lookups[1]}__{lookup}": str(value)})
    return ~q if op == "ne" else q


def _present(node: Present, fields: dict[str, tuple[str, ...]], prefix: str) -> Q:
    name = _name(node.attr_path, prefix)
    if name == "active" and fields is USER_FIELDS:
        return Q()
    lookups = fields.get(name)
    if lookups is None:
        raise InvalidFilterException(detail=f"Filtering on {name} is not supported")
    q = Q()
    for field in lookups:
        q |= Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})
    return q


def to_q(node: FilterNode, fields: dict[str, tuple[str, ...]], prefix: str = "") -> Q:
    if isinstance(node, LogicalExpr):
        combined: Q | None = None
        for term in node.terms:
            q = to_q(term, fields, prefix)
            if combined is None:
                combined = q
            elif str(node.op.value).lower() == "and":
                combined &= q
            else:
                combined |= q
        return combined or Q()
    if isinstance(node, Not):
        return ~to_q(node.expr, fields, prefix)
    if isinstance(node, Comparison):
        return _comparison(node, fields, prefix)
    if isinstance(node, Present):
        return _present(node, fields, prefix)
    if isinstance(node, ValuePath):
        if node.sub_attr:
            raise InvalidFilterException(detail="A sub-attribute after a value path")
        return to_q(node.val_filter, fields, _name(node.attr_path) + ".")
    raise InvalidFilterException(detail="This filter is not supported")


def parse(text: str | None, fields: dict[str, tuple[str, ...]]) -> Q:
    """The condition of a `filter` parameter (an empty one: every row)."""
    if not text:
        return Q()
    try:
        node = ScimFilter(text).ast
    except InvalidFilterException:
        raise
    except (ValueError, TypeError) as exc:
        raise InvalidFilterException(detail=str(exc)[:200]) from exc
    return to_q(node, fields)
