"""The app boundaries' baseline, beside import-linter (`make lint`).

The contracts live in pyproject.toml (`[tool.importlinter]`); today's violations sit in their
`ignore_imports`, one per line marked "baseline: to remove", and their number is recorded in
`[tool.portevoix.boundaries] baseline`. This script:

- `check` (the default, run by `make lint`): fails when the baseline holds more entries than
  recorded (it may only shrink), or fewer (lower the number: `shrink` does it), and when a
  module of an app is neither one of its declared surfaces nor listed among its internal
  modules in the app's `<app>-surface` contract (a new module must be classified).
- `shrink`: removes the entries whose import no longer exists (imports under TYPE_CHECKING
  do not count) and records the new number. It never adds an entry: a new violation is fixed,
  not baselined.

Usage: `PYTHONPATH=. .venv/bin/python scripts/boundaries.py [check|shrink]`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
ENTRY = re.compile(r'^\s*"(?P<importer>[\w.]+) -> (?P<imported>[\w.]+)",\s*# baseline: to remove$')
RECORDED = re.compile(r"^baseline = (\d+)$", re.MULTILINE)
# Surfaces every app may expose besides the modules its contract's name declares.
COMMON_SURFACES = frozenset({"services", "selectors", "templatetags"})


def entries(text: str) -> list[tuple[str, str]]:
    return [
        (match["importer"], match["imported"])
        for line in text.splitlines()
        if (match := ENTRY.match(line))
    ]


def recorded(text: str) -> int:
    match = RECORDED.search(text)
    if match is None:
        sys.exit("pyproject.toml: no `baseline = N` under [tool.portevoix.boundaries]")
    return int(match[1])


def unclassified(config: dict) -> list[str]:  # type: ignore[type-arg]
    """Modules of an app that its surface contract neither allows nor forbids."""
    problems = []
    for contract in config["tool"]["importlinter"]["contracts"]:
        if not contract["id"].endswith("-surface"):
            continue
        app = contract["id"].removesuffix("-surface")
        declared = {
            surface.split(".", 1)[1] for surface in re.findall(rf"\b{app}\.\w+", contract["name"])
        }
        internal = {module.rsplit(".", 1)[1] for module in contract["forbidden_modules"]}
        for path in sorted((ROOT / "portevoix" / app).iterdir()):
            is_package = path.is_dir() and (path / "__init__.py").exists()
            if path.suffix != ".py" and not is_package:
                continue
            name = path.stem
            if name == "__init__" or name in COMMON_SURFACES | declared | internal:
                continue
            problems.append(
                f"portevoix.{app}.{name} is not classified: add it to the forbidden_modules of "
                f"the `{contract['id']}` contract (internal), or declare it a surface in the "
                "contract's name and in docs/architecture.md."
            )
    return problems


def check() -> int:
    text = PYPROJECT.read_text()
    count, limit = len(entries(text)), recorded(text)
    problems = unclassified(tomllib.loads(text))
    if count > limit:
        problems.append(
            f"The boundaries baseline grew from {limit} to {count} entries: fix the new "
            "import (through the other app's services, selectors or declared interface) "
            "instead of adding it to ignore_imports."
        )
    elif count < limit:
        problems.append(
            f"The boundaries baseline shrank to {count} entries (recorded: {limit}): well "
            "done; record it with `python scripts/boundaries.py shrink`."
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"Boundaries baseline: {count} entries (may only shrink).")
    return 1 if problems else 0


def shrink() -> int:
    import grimp

    graph = grimp.build_graph("portevoix", "config", exclude_type_checking_imports=True)
    text = PYPROJECT.read_text()
    kept = []
    for line in text.splitlines(keepends=True):
        match = ENTRY.match(line.rstrip("\n"))
        if match and not graph.direct_import_exists(
            importer=match["importer"], imported=match["imported"]
        ):
            print(f"fixed: {match['importer']} -> {match['imported']}")
            continue
        kept.append(line)
    text = "".join(kept)
    count = len(entries(text))
    if count > recorded(text):
        sys.exit(f"The baseline holds {count} entries, more than recorded: it may only shrink.")
    # An emptied list of ignore_imports is valid TOML, and so are the contracts around it.
    PYPROJECT.write_text(RECORDED.sub(f"baseline = {count}", text))
    print(f"Boundaries baseline: {count} entries.")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command not in {"check", "shrink"}:
        sys.exit(__doc__)
    sys.exit(check() if command == "check" else shrink())
