"""The API covers every capability a page offers, or the gap is declared with its reason
(config/api_coverage.py; docs/decisions/0023-api-coverage.md).

Page actions are found, not listed by hand: every URL of the project (outside /admin/ and
the API) whose view accepts a method that changes something (POST, PUT, PATCH, DELETE). A
view accepts one when its class has the handler (class-based views), when a decorator of
Django's `require_http_methods` family lets it in, or when the view's own code names it:
`request.POST`/`request.FILES`, the string "POST" (or "PUT", "PATCH", "DELETE"), the house
helper `post_only`. The templates are read too: every URL that a page's form posts to must
be among the actions found, so a view that hides its POST handling in a helper fails here.
API operations are read from the OpenAPI schema."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from config import api_coverage
from config.api import api

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SKIPPED_PREFIXES = ("admin/", "api/v1/")
API_PREFIX = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]


def _patterns(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            label = entry.name or route
            yield route, f"{namespace}:{label}" if namespace else label, entry.callback


def _methods_in_code(function: Callable[..., Any]) -> set[str]:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return set()
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in {"POST", "FILES"}:
            found.add("POST")
        elif isinstance(node, ast.Constant) and node.value in WRITE_METHODS:
            found.add(str(node.value))
        elif isinstance(node, ast.Name) and node.id in {"post_only", "require_POST"}:
            found.add("POST")
    return found


def _methods_in_decorators(view: Callable[..., Any]) -> set[str]:
    """What `require_http_methods(...)` (and require_POST, built on it) lets in: the list is
    in the closure of the wrapper it made, as `request_method_list`."""
    found: set[str] = set()
    function: Any = view
    while function is not None:
        code = getattr(function, "__code__", None)
        for name, cell in zip(
            getattr(code, "co_freevars", ()),
            getattr(function, "__closure__", None) or (),
            strict=False,
        ):
            if name == "request_method_list":
                found |= {m.upper() for m in cell.cell_contents} & WRITE_METHODS
        function = getattr(function, "__wrapped__", None)
    return found


def write_methods(view: Callable[..., Any]) -> set[str]:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {
            name.upper()
            for name in view_class.http_method_names
            if name.upper() in WRITE_METHODS and hasattr(view_class, name)
        }
    return _methods_in_decorators(view) | _methods_in_code(inspect.unwrap(view))


def page_actions() -> dict[str, tuple[str, set[str]]]:
    """Page action (URL name) -> (route, the methods that change something)."""
    found: dict[str, tuple[str, set[str]]] = {}
    for route, name, view in _patterns(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        methods = write_methods(view)
        if methods:
            assert name not in found, f"two URLs named {name}"
            found[name] = (route, methods)
    return found


def api_operations() -> dict[str, str]:
    """ "METHOD /path" -> operationId, for every operation of the API."""
    schema = api.get_openapi_schema()
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            found[f"{method.upper()} {path.removeprefix(API_PREFIX)}"] = operation["operationId"]
    return found


FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
POST_METHOD = re.compile(r"""method\s*=\s*["']post["']""", re.IGNORECASE)
URL_TAG = re.compile(r"""action\s*=\s*["']\{%\s*url\s+["']([\w:-]+)["']""")


def urls_that_forms_post_to() -> set[str]:
    names = set()
    for template in (ROOT / "portevoix").rglob("templates/**/*.html"):
        for tag in FORM_TAG.findall(template.read_text(encoding="utf-8")):
            if POST_METHOD.search(tag) and (match := URL_TAG.search(tag)):
                names.add(match.group(1))
    return names


# --------------------------------------------------------------------------- the finding


def test_the_finding_of_page_actions_sees_the_ways_a_view_takes_a_post():
    actions = page_actions()
    assert actions["webhooks:rotate"][1] == {"POST"}  # post_only() in the body
    assert actions["webhooks:endpoints"][1] == {"POST"}  # require_http_methods(["GET", "POST"])
    assert "POST" in actions["accounts:login"][1]  # a class-based form view
    assert "PUT" in actions["scim:user"][1] and "DELETE" in actions["scim:user"][1]
    assert "content:library" not in actions and "content:feed" not in actions  # GET pages
    assert "healthz" not in actions


def test_every_url_a_pages_form_posts_to_is_a_page_action_found():
    posted = urls_that_forms_post_to()
    assert len(posted) > 50  # the templates were read
    missing = sorted(posted - set(page_actions()))
    assert missing == [], f"forms post to URLs whose view was not seen to accept POST: {missing}"


# --------------------------------------------------------------------------- the coverage


def test_every_page_action_is_covered_by_the_api_or_declared_a_gap():
    actions = page_actions()
    neither = sorted(
        f"{name} ({route})"
        for name, (route, _methods) in actions.items()
        if name not in api_coverage.COVERED and name not in api_coverage.GAPS
    )
    assert neither == [], (
        "page actions that the API does not offer and config/api_coverage.py does not "
        f"declare: add an API operation (and map it in COVERED) or a gap with its reason: "
        f"{neither}"
    )


def test_the_mapping_names_only_page_actions_and_operations_that_exist():
    actions = page_actions()
    operations = api_operations()
    stale = sorted(set(api_coverage.COVERED) - set(actions))
    assert stale == [], f"COVERED names page actions that do not exist (any more): {stale}"
    unknown = sorted(
        f"{name}: {operation}"
        for name, mapped in api_coverage.COVERED.items()
        for operation in mapped
        if operation not in operations
    )
    assert unknown == [], f"COVERED names API operations that do not exist: {unknown}"
    assert all(api_coverage.COVERED.values()), "a page action mapped to no operation"
    unknown_only = sorted(set(api_coverage.API_ONLY) - set(operations))
    assert unknown_only == [], f"API_ONLY names operations that do not exist: {unknown_only}"


def test_declared_gaps_are_real_page_actions_with_a_reason_and_not_covered():
    actions = page_actions()
    stale = sorted(set(api_coverage.GAPS) - set(actions))
    assert stale == [], f"GAPS names page actions that do not exist (any more): {stale}"
    covered_now = sorted(set(api_coverage.GAPS) & set(api_coverage.COVERED))
    assert covered_now == [], f"declared gaps that the API now covers: remove them {covered_now}"
    for name, (kind, reason) in api_coverage.GAPS.items():
        assert kind in api_coverage.KINDS, name
        assert len(reason) >= 20, f"{name}: say why"


def test_every_api_operation_that_changes_something_serves_a_page_action_or_is_declared():
    """The other way round: a new write operation must be placed, so that an operation added
    for a declared gap moves the gap to COVERED instead of leaving both."""
    mapped = {operation for ops in api_coverage.COVERED.values() for operation in ops}
    unplaced = sorted(
        operation
        for operation in api_operations()
        if operation.split(" ", 1)[0] in WRITE_METHODS
        and operation not in mapped
        and operation not in api_coverage.API_ONLY
    )
    assert unplaced == [], (
        "API operations that change something but serve no page action in COVERED nor are "
        f"declared API_ONLY (if one covers a declared gap, move the gap to COVERED): {unplaced}"
    )
    both = sorted(mapped & set(api_coverage.API_ONLY))
    assert both == [], f"in COVERED and API_ONLY: {both}"


def test_the_count_of_page_actions(capsys):
    """Every action is counted once, covered or declared; the numbers the decision quotes
    are printed for the record."""
    actions = page_actions()
    covered = [n for n in actions if n in api_coverage.COVERED]
    not_yet = [n for n, (kind, _r) in api_coverage.GAPS.items() if kind == api_coverage.NOT_YET]
    assert len(covered) + len(api_coverage.GAPS) == len(actions)
    with capsys.disabled():
        print(
            f"\npage actions: {len(actions)}, covered by the API: {len(covered)}, "
            f"declared gaps: {len(api_coverage.GAPS)} (not yet: {len(not_yet)})"
        )
