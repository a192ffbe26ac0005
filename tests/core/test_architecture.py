"""The house rules that a reader cannot check by eye, checked on the source tree:

- views and API modules contain no ORM query (they call selectors and services);
- services, selectors and the other app modules reach organization-owned rows only through
  `core.tenancy.scoped`/`get_scoped`, never a hand-written `organization=` lookup;
- no module of `portevoix/` is over the size at which it must become a package.

The import boundaries between apps are checked by import-linter in `make lint`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "portevoix"

QUERY_METHODS = {
    "filter",
    "exclude",
    "annotate",
    "aggregate",
    "order_by",
    "select_related",
    "prefetch_related",
    "values_list",
    "only",
    "defer",
    "distinct",
    "select_for_update",
    "bulk_create",
    "bulk_update",
}
SCOPED_HELPERS = {"scoped", "get_scoped", "get_scoped_or_404"}
LOOKUP_METHODS = {"filter", "exclude", "get"}
# "About 500 lines": past this, a module becomes a package.
MAX_LINES = 520
# Modules allowed past MAX_LINES: data, not logic.
LONG_MODULES_ALLOWED = {"demo/data.py", "demo/extra_training.py"}


def _modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _is_web_module(path: Path) -> bool:
    rel = path.relative_to(PACKAGE).parts
    return (
        path.name in {"views.py", "api.py"} or (len(rel) >= 3 and rel[1] in {"views", "api"})
    ) and rel[0] != "core"


def _queries_in(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, ".objects"))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in SCOPED_HELPERS:
                found.append((node.lineno, func.id + "()"))
            if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
                found.append((node.lineno, "." + func.attr + "()"))
    return found


def _org_lookups_in(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in LOOKUP_METHODS):
            continue
        for keyword in node.keywords:
            if keyword.arg in {"organization", "organization_id"}:
                found.append((node.lineno, f".{func.attr}({keyword.arg}=...)"))
    return found


def web_queries() -> list[str]:
    result = []
    for path in _modules():
        if _is_web_module(path):
            tree = ast.parse(path.read_text())
            rel = path.relative_to(PACKAGE)
            result += [f"{rel}:{line}: {what}" for line, what in _queries_in(tree)]
    return result


def hand_written_org_filters() -> list[str]:
    result = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in {"core", "demo"}:
            continue
        tree = ast.parse(path.read_text())
        result += [f"{rel}:{line}: {what}" for line, what in _org_lookups_in(tree)]
    return result


def long_modules() -> list[str]:
    result = []
    for path in _modules():
        rel = str(path.relative_to(PACKAGE))
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES and rel not in LONG_MODULES_ALLOWED:
            result.append(f"{rel}: {lines} lines")
    return result


def test_views_and_api_modules_make_no_query():
    assert web_queries() == []


def test_organization_rows_are_reached_through_the_choke_point():
    assert hand_written_org_filters() == []


def test_no_module_is_too_long():
    assert long_modules() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Item.objects.all()", 1),
        ("scoped(Item, org).filter(pk=1)", 2),
        ("request.GET.get('x')", 0),
        ("selectors.items(membership=m)", 0),
    ],
)
def test_the_query_detector_itself(source, expected):
    assert len(_queries_in(ast.parse(source))) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Item.objects.filter(organization=org)", 1),
        ("Item.objects.get(pk=1, organization_id=org.pk)", 1),
        ("Item.objects.create(organization=org)", 0),
        ("scoped(Item, org).filter(pk=1)", 0),
    ],
)
def test_the_org_lookup_detector_itself(source, expected):
    assert len(_org_lookups_in(ast.parse(source))) == expected
