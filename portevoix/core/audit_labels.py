"""Readable labels of the audit log and moderation: each app declares its own.

The audit log stores codes (`publishing.cadence_set`, object `cadence_rule` "linkedin");
people read sentences ("Posting rhythm changed for LinkedIn by Alice"). `core` imports no
app, and governance (which shows the log) sits below the apps that write most entries, so
each app registers its labels here from its `AppConfig.ready()` (`register_actions`,
`register_object_type`), and governance reads them through `describe_entries`.

- An action label is a translatable sentence with `%(object)s` where the object goes.
- An object type has a readable name and, where cheap, a *describer*: a function
  `(organization_id, object ids) -> {object id: name}` that names a page's objects of that
  type in one query (or none). Objects it does not name are "<type name> #<id>".
- An unknown action or type falls back to its code: nothing is ever hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

Describer = Callable[[int, list[str]], Mapping[str, str]]


@dataclass(frozen=True)
class ObjectType:
    label: Any  # a (lazy) translatable string
    describe: Describer | None = None


_ACTIONS: dict[str, Any] = {}
_TYPES: dict[str, ObjectType] = {}


def register_actions(labels: Mapping[str, Any]) -> None:
    """Declare actions: {code: translatable sentence with `%(object)s`}."""
    _ACTIONS.update(labels)


def register_object_type(code: str, label: Any, describe: Describer | None = None) -> None:
    """Declare an object type: its readable name, and optionally its describer."""
    _TYPES[code] = ObjectType(label, describe)


def action_label(code: str) -> str | None:
    label = _ACTIONS.get(code)
    return None if label is None else str(label)


def action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, readable label without its object) for a filter's choices, sorted by label."""
    rows = []
    for code in codes:
        label = action_label(code)
        text = label.replace("%(object)s", "…") if label else code
        rows.append((code, text))
    return sorted(rows, key=lambda row: row[1].casefold())


def type_label(code: str) -> str:
    known = _TYPES.get(code)
    return str(known.label) if known is not None else code


def describe_objects(
    organization_id: int, objects: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """{(object type, object id): readable name} for `objects`, one describer call per
    type. Objects no describer names are "<type name> #<id>"."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for object_type, object_id in objects:
        if object_id not in by_type[object_type]:
            by_type[object_type].append(object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in by_type.items():
        known = _TYPES.get(object_type)
        found: Mapping[str, str] = {}
        if known is not None and known.describe is not None and ids:
            found = known.describe(organization_id, ids)
        for object_id in ids:
            name = found.get(object_id)
            if not name:
                name = (
                    f"{type_label(object_type)} #{object_id}"
                    if object_id
                    else type_label(object_type)
                )
            names[(object_type, object_id)] = name
    return names


@dataclass(frozen=True)
class Described:
    """An audit entry in words: `sentence` is what happened, by whom; `known` is False when
    the action has no registered label (the sentence then shows the code)."""

    what: str
    sentence: str
    object_label: str
    known: bool


def actor_name(actor_label: str) -> str:
    """The name part of an audit entry's actor label ("Alice Martin <alice@x>")."""
    name, _sep, _rest = actor_label.partition(" <")
    return name.strip()


def describe_entry(*, action: str, object_label: str, actor_label: str) -> Described:
    label = action_label(action)
    if label is None:
        what = _("%(action)s on %(object)s") % {"action": action, "object": object_label}
    else:
        what = label % {"object": object_label}
    actor = actor_name(actor_label)
    if actor:
        sentence = _("%(what)s by %(actor)s") % {"what": what, "actor": actor}
    else:
        sentence = _("%(what)s (automatic)") % {"what": what}
    return Described(what, sentence, object_label, label is not None)


def describe_entries(organization_id: int, entries: Iterable[Any]) -> list[Described]:
    """The sentences of a page of audit entries (objects with `action`, `object_type`,
    `object_id`, `actor_label`): one describer call per object type on the page."""
    entries = list(entries)
    names = describe_objects(organization_id, ((e.object_type, str(e.object_id)) for e in entries))
    return [
        describe_entry(
            action=e.action,
            object_label=names[(e.object_type, str(e.object_id))],
            actor_label=e.actor_label,
        )
        for e in entries
    ]


def int_ids(ids: Iterable[str]) -> list[int]:
    """The ids that are whole numbers (a describer's query takes only those)."""
    return [int(i) for i in ids if i.isdigit()]
