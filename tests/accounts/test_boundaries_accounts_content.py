"""App boundaries of accounts and content (issue 9): accounts imports nothing from content;
content reaches other apps only through their services, selectors or declared interfaces,
and another app's models only for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "portevoix"
ALLOWED_SURFACES = {"services", "selectors", "permissions", "roles", "gates", "rollups"}
# Surfaces of one package only (docs/architecture.md, the app map): the networks' contract
# and its SSRF-guarded HTTP client (content's link previews read pages through it); the page
# frame's cache of accounts (docs/decisions/0010-page-frame-cache.md: content moves it).
PACKAGE_SURFACES = {"networks": {"base"}, "accounts": {"frame"}}


def _runtime_imports(app: str) -> list[tuple[str, str]]:
    """(file, module) of every import outside `if TYPE_CHECKING:` in the app's code."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        skipped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(child) for sub in node.body for child in ast.walk(sub))
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                found += [(str(path.relative_to(ROOT)), name) for name in names]
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
    return found


def _other_app_imports(app: str) -> list[tuple[str, str]]:
    return [
        (where, module)
        for where, module in _runtime_imports(app)
        if module.startswith("portevoix.") and module.split(".")[1] not in {app, "core"}
    ]


def test_accounts_imports_nothing_from_content():
    offending = [
        (w, m) for w, m in _other_app_imports("accounts") if m.startswith("portevoix.content")
    ]
    assert offending == []


def test_content_uses_only_declared_surfaces_of_other_apps():
    offending = [
        (where, module)
        for where, module in _other_app_imports("content")
        if module.split(".")[2] not in ALLOWED_SURFACES
        and module.split(".")[2] not in PACKAGE_SURFACES.get(module.split(".")[1], set())
    ]
    assert offending == []
